# METADATA
# title: Idle token or consent
# description: >-
#   A long-lived (refreshed) token or a user consent that has not been used for thresholds.idleTokenDays (default
#   30) and was never revoked. Idle credentials are easy to forget and valuable to steal.
# custom:
#   id: SG303
#   severity: low
#   remediation: "Revoke the token or consent at the provider, or shorten refresh-token lifetimes for this client."
package scopeguard.usage.rules.SG303

import data.scopeguard.lib.config

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some token in usage.tokens
	token.refreshes > 0
	not token.revokedAt
	token.daysSinceLastUse > config.threshold("idleTokenDays")
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["token:", token.tokenId]),
		"message": sprintf("token %s of client %s has not been used for %d days and is not revoked", [token.tokenId, label(token), token.daysSinceLastUse]),
		"evidence": {"kind": "token", "count": token.events, "first": token.firstSeen, "last": object.get(token, "lastUsed", token.lastSeen), "idleDays": token.daysSinceLastUse, "clientId": token.clientId, "sampleEventIds": token.sampleEventIds},
	}
}

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some grant in usage.grants
	not grant.revoked
	grant.daysSinceLastSeen > config.threshold("idleTokenDays")
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["grant:", grant.grantId]),
		"message": sprintf("consent %s for client %s has not been used for %d days and is not revoked", [grant.grantId, label(grant), grant.daysSinceLastSeen]),
		"evidence": {"kind": "consent", "first": grant.grantedAt, "last": grant.lastSeen, "idleDays": grant.daysSinceLastSeen, "clientId": grant.clientId, "sampleEventIds": grant.sampleEventIds},
	}
}

label(subject) := subject.client

label(subject) := subject.clientId if not subject.client
