package scopeguard.registry.rules.SG104_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG104

test_unmapped_and_empty_scopes_are_reported if {
	doc := t.registry_input({
		"scopes": {"mapped": t.scope({}), "unmapped": t.scope({}), "empty": t.scope({}), "gone": t.scope({"status": "removed"})},
		"actions": {"mapped": [{"pattern": "GET /a", "method": "GET", "path": "/a"}], "empty": []},
	})
	t.subjects(SG104.findings) == {"scope:unmapped", "scope:empty"} with input as doc
}
