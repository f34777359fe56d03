# METADATA
# title: Scope removed while clients still hold it
# description: >-
#   Removing a scope (deleting it, or setting its status to `removed`) that clients hold breaks them: their token
#   requests fail or their requests lose access. Clients are moved to the replacement first, then the scope goes.
# custom:
#   id: SG201
#   severity: high
#   remediation: "Move the clients that hold the scope to its replacement (or revoke it from them on purpose) before removing it."
package scopeguard.change.rules.SG201

findings contains finding if {
	some change in input.diff.changes
	change.kind == "scope.removed"
	holders := holders_of(change.tenant, change.scope)
	count(holders) > 0
	finding := {
		"tenant": change.tenant,
		"subject": change.subject,
		"message": sprintf("scope %s is removed while %d client(s) hold it: %s", [change.scope, count(holders), concat(", ", sort(holders))]),
		"evidence": {"clients": sort(holders), "change": change.detail},
	}
}

# holders: clients granted the scope at head (status set to removed) or at base (deleted with the scope).
holders_of(tenant, scope_name) := {name |
	some side in ["base", "head"]
	some name, client in object.get(input[side].tenants, [tenant, "clients"], {})
	scope_name in client.scopes
}
