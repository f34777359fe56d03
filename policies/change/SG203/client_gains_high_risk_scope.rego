# METADATA
# title: Client gains a high or critical scope
# description: >-
#   A grant of a high or critical scope (to an existing client or with a new one) is the change reviewers most need
#   to see: it should come with a justification and the scope owner's approval.
# custom:
#   id: SG203
#   severity: medium
#   remediation: "Have the scope's owner approve the grant and write the client's justification for it; prefer a narrower scope."
package scopeguard.change.rules.SG203

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some grant in gained
	scope := input.head.tenants[grant.tenant].scopes[grant.scope]
	reg.high_risk(scope)
	finding := {
		"tenant": grant.tenant,
		"subject": reg.grant_subject(grant.client, grant.scope),
		"message": sprintf("client %s gains %s scope %s", [grant.client, scope.sensitivity, grant.scope]),
		"evidence": {"sensitivity": scope.sensitivity, "justification": object.get(input.head.tenants[grant.tenant].clients[grant.client], ["justification", grant.scope], "")},
	}
}

gained contains {"tenant": change.tenant, "client": change.client, "scope": change.scope} if {
	some change in input.diff.changes
	change.kind == "client.scope-granted"
}

gained contains {"tenant": change.tenant, "client": change.client, "scope": scope_name} if {
	some change in input.diff.changes
	change.kind == "client.added"
	some scope_name in input.head.tenants[change.tenant].clients[change.client].scopes
}
