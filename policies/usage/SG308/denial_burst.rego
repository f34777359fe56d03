# METADATA
# title: Burst of authorization denials
# description: >-
#   A client collected at least thresholds.denialBurst (default 10) authorization denials, invalid-scope errors or
#   401/403 responses in one day: probing, a broken deployment, or a client asking for access it lost.
# custom:
#   id: SG308
#   severity: medium
#   remediation: "Check the client's recent deployment and the scopes it requests; if nobody recognises the traffic, rotate its credentials."
package scopeguard.usage.rules.SG308

import data.scopeguard.lib.config
import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some client in usage.clients
	client.denials.peakCount >= config.threshold("denialBurst")
	finding := {
		"tenant": tenant_name,
		"subject": reg.client_subject(client.client),
		"message": sprintf("client %s was denied %d times on %s (%d denials in the window)", [client.client, client.denials.peakCount, client.denials.peakDay, client.denials.count]),
		"evidence": client.denials,
	}
}
