# METADATA
# title: High or critical scope granted without a justification
# description: >-
#   Holding a high or critical scope should be a recorded decision: the client's `justification` says why it needs
#   the scope, so a reviewer (or an auditor a year later) can tell whether it still does.
# custom:
#   id: SG105
#   severity: medium
#   remediation: "Add `justification: {<scope>: <why the client needs it>}` to the client, or drop the grant."
package scopeguard.registry.rules.SG105

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some client_name, client in tenant.clients
	some scope_name in client.scopes
	scope := tenant.scopes[scope_name]
	reg.high_risk(scope)
	reg.blank(reg.justification(client, scope_name))
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client_name, scope_name),
		"message": concat(" ", ["client", client_name, "holds", scope.sensitivity, "scope", scope_name, "without a justification"]),
		"evidence": {"sensitivity": scope.sensitivity},
	}
}
