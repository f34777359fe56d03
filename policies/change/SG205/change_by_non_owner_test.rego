package scopeguard.change.rules.SG205_test

import data.scopeguard.change.rules.SG205
import data.scopeguard.change.testing as t

owners := {"owners": {"team-data": {"emails": ["ana@example.com"], "logins": ["ana-gh"]}}}

commit(email, login, touched) := object.union(
	{"commit": "abcdef1234567890", "author": "Someone", "email": email, "date": "2026-05-05T10:00:00+00:00", "subject": "edit", "touched": touched},
	login,
)

touch(owners_list) := {"tenant": "acme", "subject": "scope:read.data/action:GET /x", "kind": "action.added", "detail": "actions widened: + GET /x", "entry": "scope", "name": "read.data", "owners": owners_list}

test_non_owner_commit_is_reported_with_author_commit_and_date if {
	doc := t.change_input({}, {}, [], [commit("mallory@example.com", {}, [touch(["team-data"])])])
	findings := SG205.findings with input as doc with data.config as owners
	t.subjects(findings) == {"scope:read.data"}
	some f in findings
	f.message == "Someone <mallory@example.com> changed scope:read.data/action:GET /x of team-data in abcdef123456 (2026-05-05T10:00:00+00:00): actions widened: + GET /x"
	f.evidence.commit == "abcdef1234567890"
}

test_owner_by_email_or_login_is_fine if {
	doc := t.change_input({}, {}, [], [commit("Ana@Example.com", {}, [touch(["team-data"])]), commit("1+ana-gh@users.noreply.github.com", {"login": "ana-gh"}, [touch(["team-data"])])])
	count(SG205.findings) == 0 with input as doc with data.config as owners
}

test_unlisted_owner_is_not_judged if {
	doc := t.change_input({}, {}, [], [commit("mallory@example.com", {}, [touch(["team-unknown"]), touch([])])])
	count(SG205.findings) == 0 with input as doc with data.config as owners
}
