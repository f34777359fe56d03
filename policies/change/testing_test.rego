# METADATA
# title: Change test fixtures
# description: Builders for change input documents in the shape src/policy/input-change.ts produces.
package scopeguard.change.testing

scope(overrides) := object.union(
	{"name": "read.orders", "description": "Read orders", "sensitivity": "low", "owner": "team-orders", "status": "active", "implies": [], "impliesAll": []},
	overrides,
)

client(overrides) := object.union(
	{"clientId": "0oa1", "owner": "team-orders", "type": "confidential", "scopes": [], "justification": {}},
	overrides,
)

tenant(parts) := object.union({"name": "acme", "scopes": {}, "actions": {}, "clients": {}, "exceptions": []}, parts)

# change_input: base and head parts of tenant acme, the diff's changes and the commits.
change_input(base, head, changes, commits) := {
	"mode": "change",
	"now": "2026-11-25T12:00:00.000Z",
	"today": "2026-11-25",
	"base": {"ref": "main", "tenants": {"acme": tenant(base)}},
	"head": {"ref": "worktree", "tenants": {"acme": tenant(head)}},
	"diff": {"classification": "neutral", "changes": changes},
	"commits": commits,
}

change(kind, subject, overrides) := object.union(
	{"tenant": "acme", "subject": subject, "kind": kind, "classification": "neutral", "detail": kind},
	overrides,
)

subjects(findings) := {f.subject | some f in findings}
