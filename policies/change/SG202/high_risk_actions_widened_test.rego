package scopeguard.change.rules.SG202_test

import data.scopeguard.change.rules.SG202
import data.scopeguard.change.testing as t

head := {"scopes": {"read.data": t.scope({"name": "read.data", "sensitivity": "high"}), "read.orders": t.scope({})}}

widened(scope, pattern, classification) := t.change("action.added", sprintf("scope:%s/action:%s", [scope, pattern]), {"scope": scope, "after": pattern, "classification": classification})

test_widening_of_high_scope_is_reported if {
	doc := t.change_input(head, head, [widened("read.data", "GET /v2/**", "widening")], [])
	findings := SG202.findings with input as doc
	t.subjects(findings) == {"scope:read.data"}
	some f in findings
	f.message == "action map of high scope read.data widened: + GET /v2/**"
}

test_neutral_rewrite_and_low_scope_are_not_reported if {
	doc := t.change_input(head, head, [widened("read.data", "GET /v1/{id}", "neutral"), widened("read.orders", "GET /**", "widening")], [])
	count(SG202.findings) == 0 with input as doc
}
