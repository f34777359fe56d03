package scopeguard.registry.rules.SG110_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG110

doc := t.registry_input({"scopes": {
	"read.v1": t.scope({"status": "deprecated", "replacedBy": "read.v2"}),
	"read.v2": t.scope({"status": "deprecated", "replacedBy": "read.v3"}),
	"read.v3": t.scope({}),
	"read.gone": t.scope({"status": "removed", "replacedBy": "read.void"}),
	"read.void": t.scope({"status": "removed"}),
	"read.loop": t.scope({"status": "deprecated", "replacedBy": "read.loop"}),
}})

test_replacements_that_are_retired_or_the_scope_itself_are_reported if {
	t.subjects(SG110.findings) == {"scope:read.v1", "scope:read.gone", "scope:read.loop"} with input as doc
}

test_the_message_says_what_the_replacement_is if {
	some f in SG110.findings with input as doc
	f.subject == "scope:read.v1"
	f.message == "scope read.v1 is replaced by read.v2, which is deprecated too"
	f.evidence == {"replacedBy": "read.v2", "replacementStatus": "deprecated"}
}

test_a_self_replacement_is_reported_once if {
	loop := [f | some f in SG110.findings with input as doc; f.subject == "scope:read.loop"]
	count(loop) == 1
	loop[0].message == "scope read.loop names itself in replacedBy"
}

test_an_active_replacement_is_fine if {
	count(SG110.findings) == 0 with input as t.registry_input({"scopes": {
		"read.v2": t.scope({"status": "deprecated", "replacedBy": "read.v3"}),
		"read.v3": t.scope({}),
	}})
}
