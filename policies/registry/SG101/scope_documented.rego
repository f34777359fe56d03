# METADATA
# title: Scope without description or owner
# description: >-
#   Every scope a client can hold needs a description a reviewer can judge it by and an owning team that answers
#   for it. Removed scopes are exempt.
# custom:
#   id: SG101
#   severity: medium
#   remediation: "Give the scope a `description` of what it allows and an `owner` team (a key of `owners` in scopeguard.yaml)."
package scopeguard.registry.rules.SG101

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, scope in tenant.scopes
	scope.status != "removed"
	missing := [field | some field in ["description", "owner"]; reg.blank(object.get(scope, field, ""))]
	count(missing) > 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.scope_subject(name),
		"message": concat("", ["scope ", name, " has no ", concat(" and no ", missing)]),
		"evidence": {"missing": missing},
	}
}
