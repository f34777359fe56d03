package scopeguard.change.rules.SG206_test

import data.scopeguard.change.rules.SG206
import data.scopeguard.change.testing as t

test_lowered_is_reported_raised_is_not if {
	changes := [
		t.change("scope.sensitivity-lowered", "scope:pay", {"scope": "pay", "before": "critical", "after": "high"}),
		t.change("scope.sensitivity-raised", "scope:read", {"scope": "read", "before": "low", "after": "high"}),
	]
	findings := SG206.findings with input as t.change_input({}, {}, changes, [])
	t.subjects(findings) == {"scope:pay"}
	some f in findings
	f.message == "sensitivity of scope pay lowered from critical to high"
}
