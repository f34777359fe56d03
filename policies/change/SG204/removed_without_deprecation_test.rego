package scopeguard.change.rules.SG204_test

import data.scopeguard.change.rules.SG204
import data.scopeguard.change.testing as t

removal := [t.change("scope.removed", "scope:read.orders", {"scope": "read.orders"})]

test_active_scope_removed_is_reported if {
	findings := SG204.findings with input as t.change_input({"scopes": {"read.orders": t.scope({})}}, {}, removal, [])
	some f in findings
	f.message == "scope read.orders is removed without being deprecated first (minimum 30 days)"
}

test_short_deprecation_is_reported if {
	base := {"scopes": {"read.orders": t.scope({"status": "deprecated", "deprecatedSince": "2026-11-20", "daysDeprecated": 5})}}
	findings := SG204.findings with input as t.change_input(base, {}, removal, [])
	some f in findings
	f.message == "scope read.orders is removed after 5 days of deprecation (minimum 30)"
}

test_long_deprecation_is_fine_and_threshold_comes_from_config if {
	base := {"scopes": {"read.orders": t.scope({"status": "deprecated", "deprecatedSince": "2026-09-01", "daysDeprecated": 85})}}
	count(SG204.findings) == 0 with input as t.change_input(base, {}, removal, [])
	count(SG204.findings) == 1 with input as t.change_input(base, {}, removal, []) with data.config as {"thresholds": {"minDeprecationDays": 90}}
}
