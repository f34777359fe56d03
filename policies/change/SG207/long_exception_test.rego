package scopeguard.change.rules.SG207_test

import data.scopeguard.change.rules.SG207
import data.scopeguard.change.testing as t

exception(kind, after, days) := t.change(kind, "exception:SG105/client:app/scope:pay", {"after": after, "daysUntilExpiry": days})

test_long_addition_and_extension_are_reported if {
	changes := [exception("exception.added", "2027-12-31", 401), exception("exception.extended", "2027-06-30", 217)]
	findings := SG207.findings with input as t.change_input({}, {}, changes, [])
	count(findings) == 2
	some f in findings
	f.message == "exception added until 2027-12-31, 401 days from today (maximum 180)"
}

test_short_exception_is_fine if {
	count(SG207.findings) == 0 with input as t.change_input({}, {}, [exception("exception.added", "2027-01-31", 67)], [])
}
