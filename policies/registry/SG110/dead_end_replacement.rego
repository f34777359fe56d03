# METADATA
# title: Replacement that is retired or the scope itself
# description: >-
#   `replacedBy` tells the clients of a scope where to move. When it names the scope itself, or a scope that is
#   deprecated or removed too, every client that follows it (and SG102's advice) lands on access that is going away.
# custom:
#   id: SG110
#   severity: medium
#   remediation: "Point `replacedBy` at the active scope clients should move to: the end of the replacement chain."
package scopeguard.registry.rules.SG110

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, scope in tenant.scopes
	name == scope.replacedBy
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["scope:", name]),
		"key": name,
		"message": concat("", ["scope ", name, " names itself in replacedBy"]),
		"evidence": {"replacedBy": name},
	}
}

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, scope in tenant.scopes
	target := scope.replacedBy
	target != name
	status := tenant.scopes[target].status
	status in reg.retired_statuses
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["scope:", name]),
		"key": target,
		"message": concat("", ["scope ", name, " is replaced by ", target, ", which is ", status, " too"]),
		"evidence": {"replacedBy": target, "replacementStatus": status},
	}
}
