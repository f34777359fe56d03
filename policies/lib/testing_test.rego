# METADATA
# title: Test fixtures
# description: Builders for registry input documents in the shape src/policy/input-registry.ts produces.
package scopeguard.lib.testing

scope(overrides) := object.union(
	{
		"description": "Read orders",
		"sensitivity": "low",
		"owner": "team-orders",
		"status": "active",
		"implies": [],
		"impliesAll": [],
	},
	overrides,
)

client(overrides) := object.union(
	{"clientId": "0oa1", "owner": "team-orders", "type": "confidential", "scopes": [], "justification": {}},
	overrides,
)

exception(overrides) := object.union(
	{
		"index": 0,
		"rule": "SG105",
		"subject": "client:app/scope:read.orders",
		"reason": "accepted",
		"expires": "2026-12-31",
		"expired": false,
		"daysUntilExpiry": 36,
	},
	overrides,
)

# registry_input: one tenant `acme` made of the given parts (scopes, actions, clients, exceptions).
registry_input(parts) := {
	"mode": "registry",
	"now": "2026-11-25T12:00:00.000Z",
	"today": "2026-11-25",
	"tenants": {"acme": object.union({"scopes": {}, "actions": {}, "clients": {}, "exceptions": []}, parts)},
}

subjects(findings) := {f.subject | some f in findings}
