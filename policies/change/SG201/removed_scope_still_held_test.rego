package scopeguard.change.rules.SG201_test

import data.scopeguard.change.rules.SG201
import data.scopeguard.change.testing as t

held := {"clients": {"app": t.client({"scopes": ["read.orders"]}), "other": t.client({})}}

test_deleted_scope_held_at_base_is_reported if {
	doc := t.change_input(held, {"clients": {"app": t.client({}), "other": t.client({})}}, [t.change("scope.removed", "scope:read.orders", {"scope": "read.orders"})], [])
	findings := SG201.findings with input as doc
	t.subjects(findings) == {"scope:read.orders"}
	some f in findings
	f.message == "scope read.orders is removed while 1 client(s) hold it: app"
}

test_scope_marked_removed_still_granted_is_reported if {
	doc := t.change_input(held, held, [t.change("scope.removed", "scope:read.orders", {"scope": "read.orders", "after": "removed"})], [])
	count(SG201.findings) == 1 with input as doc
}

test_scope_nobody_holds_is_not_reported if {
	doc := t.change_input({}, {}, [t.change("scope.removed", "scope:read.orders", {"scope": "read.orders"})], [])
	count(SG201.findings) == 0 with input as doc
}
