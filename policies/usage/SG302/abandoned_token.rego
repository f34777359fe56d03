# METADATA
# title: Abandoned token still in use
# description: >-
#   A token used with a scope its client no longer holds, after it was revoked, or after its client was deleted at
#   the provider. The registry says the access is gone; the logs say it is not. Only uses that did not fail count,
#   and only revocations and deletions that did not fail (outcome success, or unknown where the provider does not
#   say): a failed revocation left the token as it was. A client created again with the same id is in use again
#   from then on.
# custom:
#   id: SG302
#   severity: high
#   remediation: "Revoke the token at the provider and find out who still uses it; rotate the client's credentials if the client was removed."
package scopeguard.usage.rules.SG302

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some token in usage.tokens
	count(token.scopesNotGranted) > 0
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["token:", token.tokenId]),
		"key": "scope-not-granted",
		"message": sprintf("token %s of client %s was used with %s, which the client no longer holds", [token.tokenId, client_label(token), concat(", ", token.scopesNotGranted)]),
		"evidence": object.union(token.ungrantedUse, {"kind": "scope-not-granted", "scopes": token.scopesNotGranted, "clientId": token.clientId}),
	}
}

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some token in usage.tokens
	token.useAfterRevoke.count > 0
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["token:", token.tokenId]),
		"key": "used-after-revoke",
		"message": sprintf("token %s of client %s was used %d times after it was revoked on %s", [token.tokenId, client_label(token), token.useAfterRevoke.count, token.revokedAt]),
		"evidence": object.union(token.useAfterRevoke, {"kind": "used-after-revoke", "revokedAt": token.revokedAt, "clientId": token.clientId}),
	}
}

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some token in usage.tokens
	token.useAfterClientDeleted.count > 0
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["token:", token.tokenId]),
		"key": "used-after-client-deleted",
		"message": sprintf("token %s was used %d times after its client %s was deleted on %s", [token.tokenId, token.useAfterClientDeleted.count, client_label(token), token.useAfterClientDeleted.deletedAt]),
		"evidence": object.union(token.useAfterClientDeleted, {"kind": "used-after-client-deleted", "clientId": token.clientId}),
	}
}

client_label(token) := token.client

client_label(token) := token.clientId if not token.client
