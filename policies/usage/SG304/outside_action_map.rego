# METADATA
# title: Request outside the action map
# description: >-
#   A client made requests that none of its granted scopes allows according to the action map (or that map to no
#   scope at all), refused ones included. A path is judged as the server resolves it: `/b/../admin` is `/admin`.
#   Either the map is incomplete or the client does something it was never approved for.
# custom:
#   id: SG304
#   severity: medium
#   remediation: "Add the endpoint to the action map of the scope that should allow it, or find out why the client calls it."
package scopeguard.usage.rules.SG304

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some client in usage.clients
	client.unmatched.count > 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.client_subject(client.client),
		"message": sprintf("client %s made %d requests that none of its scopes allows (e.g. %s)", [client.client, client.unmatched.count, client.unmatched.endpoints[0]]),
		"evidence": client.unmatched,
	}
}
