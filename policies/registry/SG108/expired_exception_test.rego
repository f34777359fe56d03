package scopeguard.registry.rules.SG108_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG108

test_expired_exception_is_reported if {
	doc := t.registry_input({"exceptions": [
		t.exception({}),
		t.exception({"index": 1, "expires": "2026-11-01", "expired": true, "daysUntilExpiry": -24}),
	]})
	findings := SG108.findings with input as doc
	count(findings) == 1
	some f in findings
	f.subject == "client:app/scope:read.orders"
	f.key == "SG105"
	f.exception == 1
	f.message == "exception for SG105 on client:app/scope:read.orders expired on 2026-11-01 (24 days ago) and no longer waives it"
}

test_exception_on_its_last_day_still_waives if {
	doc := t.registry_input({"exceptions": [t.exception({"expires": "2026-11-25", "daysUntilExpiry": 0})]})
	count(SG108.findings) == 0 with input as doc
}
