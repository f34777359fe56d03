# METADATA
# title: Scope with no actions in the action map
# description: >-
#   A scope the action map does not mention allows nothing anyone has written down: reviewers cannot judge it and
#   requests made with it cannot be matched to it in the audit logs. Removed scopes are exempt.
# custom:
#   id: SG104
#   severity: medium
#   remediation: "Add the scope to the tenant's ActionMap with the requests it allows (e.g. `GET /v1/orders/**`)."
package scopeguard.registry.rules.SG104

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, scope in tenant.scopes
	scope.status != "removed"
	count(object.get(tenant.actions, name, [])) == 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.scope_subject(name),
		"message": concat("", ["scope ", name, " has no actions in the action map"]),
	}
}
