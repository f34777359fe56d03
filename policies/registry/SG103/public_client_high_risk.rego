# METADATA
# title: Public client holds a high or critical scope
# description: >-
#   A public client (browser or mobile app) cannot keep a secret, so anyone can obtain its tokens; a high or
#   critical scope in its hands is exposed to everyone who can run the app.
# custom:
#   id: SG103
#   severity: high
#   remediation: "Move the operation behind a confidential backend client, or grant the public client a narrower, lower-sensitivity scope."
package scopeguard.registry.rules.SG103

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some client_name, client in tenant.clients
	client.type == "public"
	some scope_name in client.scopes
	scope := tenant.scopes[scope_name]
	reg.high_risk(scope)
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client_name, scope_name),
		"message": concat(" ", ["public client", client_name, "holds", scope.sensitivity, "scope", scope_name]),
		"evidence": {"clientType": client.type, "sensitivity": scope.sensitivity},
	}
}
