# METADATA
# title: Idle token or consent
# description: >-
#   Long-lived (refreshed) tokens or user consents that have not been used for thresholds.idleTokenDays (default 30)
#   and were never revoked, reported once per client and kind with the count, the oldest idle one and sample ids.
#   Idle credentials are easy to forget and valuable to steal. Consents are judged over all history before the
#   window's end, tokens over the year before it (or the usage window and baseline when longer), so a token idle
#   since before the window is found whatever the window's length. Only refreshes, uses and revocations that did not
#   fail count: a failed refresh makes no token long-lived, and a failed revocation revokes nothing.
# custom:
#   id: SG303
#   severity: low
#   remediation: "Revoke the token or consent at the provider, or shorten refresh-token lifetimes for this client."
package scopeguard.usage.rules.SG303

import data.scopeguard.lib.config

# One finding per client and kind, not per token: a provider issues thousands of tokens, and the reviewer's action
# (revoke them, shorten the client's refresh lifetime) is per client. The key is the kind, never a token id, so the
# fingerprint stays the same while the set of idle tokens changes.
findings contains finding if {
	some tenant_name, client_id
	group := idle_tokens[tenant_name][client_id]
	tokens := [token | some token in group]
	finding := client_finding(tenant_name, tokens[0], "token", tokens, [[last_use(t), t.tokenId, t] | some t in tokens])
}

findings contains finding if {
	some tenant_name, client_id
	group := idle_grants[tenant_name][client_id]
	grants := [grant | some grant in group]
	finding := client_finding(tenant_name, grants[0], "consent", grants, [[g.lastSeen, g.grantId, g] | some g in grants])
}

# Grouped in one pass over the tokens (filtering them once per client would be quadratic at thousands of tokens).
idle_tokens[tenant_name][token.clientId] contains token if {
	some tenant_name, usage in input.usage.tenants
	some token in usage.tokens
	idle_token(token)
}

idle_grants[tenant_name][grant.clientId] contains grant if {
	some tenant_name, usage in input.usage.tenants
	some grant in usage.grants
	idle_grant(grant)
}

idle_token(token) if {
	token.refreshes > 0
	not token.revokedAt
	token.daysSinceLastUse > config.threshold("idleTokenDays")
}

idle_grant(grant) if {
	not grant.revoked
	grant.daysSinceLastSeen > config.threshold("idleTokenDays")
}

last_use(token) := object.get(token, "lastUsed", token.lastSeen)

# client_finding judges one client's idle tokens or consents; keyed rows are [last use, id, fact], so sorting them
# puts the oldest first with the id breaking ties, which makes the samples deterministic.
client_finding(tenant_name, any, kind, idle, keyed) := {
	"tenant": tenant_name,
	"subject": concat("", ["client:", label(any)]),
	"key": concat("", ["idle-", kind]),
	"message": sprintf("client %s has %d %s unused for more than %d days (oldest idle %d days) and not revoked", [label(any), count(idle), noun(kind, count(idle)), config.threshold("idleTokenDays"), oldest_idle_days(kind, oldest)]),
	"evidence": {
		"kind": kind,
		"clientId": any.clientId,
		"count": count(idle),
		"oldestLastUse": oldest_row[0],
		"oldestIdleDays": oldest_idle_days(kind, oldest),
		sample_ids_field[kind]: [row[1] | some row in samples],
		"sampleEventIds": round_robin_events([row[2] | some row in samples]),
	},
} if {
	sorted := sort(keyed)
	oldest_row := sorted[0]
	oldest := oldest_row[2]
	samples := array.slice(sorted, 0, 5)
}

sample_ids_field := {"token": "sampleTokenIds", "consent": "sampleGrantIds"}

oldest_idle_days("token", fact) := fact.daysSinceLastUse

oldest_idle_days("consent", fact) := fact.daysSinceLastSeen

noun("token", 1) := "refresh token"

noun("token", n) := "refresh tokens" if n != 1

noun("consent", 1) := "consent"

noun("consent", n) := "consents" if n != 1

# round_robin_events takes the first sample event of each sample fact, then the second, and so on, up to five
# distinct ones: one event per token where there are several tokens, all of a lone token's.
round_robin_events(facts) := array.slice(distinct_in_order(ids), 0, 5) if {
	ids := [row[2] | some row in sort([[j, i, id] | some i, fact in facts; some j, id in fact.sampleEventIds])]
}

distinct_in_order(ids) := [id | some k, id in ids; not id in array.slice(ids, 0, k)]

label(subject) := subject.client

label(subject) := subject.clientId if not subject.client
