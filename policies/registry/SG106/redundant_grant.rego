# METADATA
# title: Redundant grant of an implied scope
# description: >-
#   A client holds a scope and also another scope that the first already implies (directly or through a chain of
#   `implies`). The extra grant adds nothing but noise, and survives when the broader one is removed.
# custom:
#   id: SG106
#   severity: low
#   remediation: "Drop the implied scope from the client's `scopes`, or drop the broader one if the client needs only the narrow access."
package scopeguard.registry.rules.SG106

import data.scopeguard.lib.registry as reg

# impliesAll is the transitive closure of `implies`, computed by the input builder.
findings contains finding if {
	some tenant_name, tenant in input.tenants
	some client_name, client in tenant.clients
	some broader in client.scopes
	some implied in tenant.scopes[broader].impliesAll
	implied != broader
	implied in client.scopes
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client_name, implied),
		"key": broader,
		"message": concat("", ["client ", client_name, " holds ", implied, ", which ", broader, " already implies"]),
		"evidence": {"impliedBy": broader},
	}
}
