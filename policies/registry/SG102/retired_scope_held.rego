# METADATA
# title: Client holds a deprecated or removed scope
# description: >-
#   A deprecated scope is on its way out and a removed one no longer exists at the provider; a client that still
#   holds either will break or keeps access nobody maintains.
# custom:
#   id: SG102
#   severity: high
#   remediation: "Replace the grant with the scope named in `replacedBy` (or drop it), then remove the old scope once no client holds it."
package scopeguard.registry.rules.SG102

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some client_name, client in tenant.clients
	some scope_name in client.scopes
	scope := tenant.scopes[scope_name]
	scope.status in reg.retired_statuses
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client_name, scope_name),
		"message": concat("", ["client ", client_name, " holds ", scope.status, " scope ", scope_name, replacement(scope)]),
		"evidence": object.union({"status": scope.status}, object.filter(scope, ["deprecatedSince", "replacedBy"])),
	}
}

replacement(scope) := concat("", [" (replaced by ", scope.replacedBy, ")"]) if scope.replacedBy

else := ""
