# METADATA
# title: Implication cycle
# description: >-
#   `implies` says a scope grants everything the implied scope grants. A scope that implies itself, directly or
#   through a chain of `implies`, makes every scope on the cycle the same access under several names: reviewers can
#   no longer tell which is the broader one, and redundant-grant findings (SG106) point both ways.
# custom:
#   id: SG109
#   severity: medium
#   remediation: "Keep `implies` on the broader scope only (it implies the narrower one, never back), or merge scopes that are the same access."
package scopeguard.registry.rules.SG109

# impliesAll is the transitive closure of `implies` without the scope itself, computed by the input builder: the
# other scopes on a cycle through a scope are those it implies that imply it back.
cycle_partners(tenant, name) := {other |
	some other in tenant.scopes[name].impliesAll
	name in tenant.scopes[other].impliesAll
}

# A cycle is reported once, at its scope that sorts first.
findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, _ in tenant.scopes
	partners := cycle_partners(tenant, name)
	count(partners) > 0
	every partner in partners {
		name < partner
	}
	cycle := sort(partners)
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["scope:", name]),
		"key": concat(",", cycle),
		"message": concat("", ["scope ", name, " implies itself through ", concat(", ", cycle)]),
		"evidence": {"cycle": array.concat([name], cycle)},
	}
}

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some name, scope in tenant.scopes
	name in scope.implies
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["scope:", name]),
		"key": name,
		"message": concat("", ["scope ", name, " lists itself in implies"]),
		"evidence": {"cycle": [name]},
	}
}
