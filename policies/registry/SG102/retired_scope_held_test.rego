package scopeguard.registry.rules.SG102_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG102

doc := t.registry_input({
	"scopes": {
		"read.legacy": t.scope({"status": "deprecated", "deprecatedSince": "2026-01-15", "replacedBy": "read.orders"}),
		"read.gone": t.scope({"status": "removed"}),
		"read.orders": t.scope({}),
	},
	"clients": {
		"app": t.client({"scopes": ["read.legacy", "read.orders"]}),
		"old-app": t.client({"scopes": ["read.gone"]}),
	},
})

test_deprecated_and_removed_grants_are_reported if {
	t.subjects(SG102.findings) == {"client:app/scope:read.legacy", "client:old-app/scope:read.gone"} with input as doc
}

test_message_names_the_replacement if {
	some f in SG102.findings with input as doc
	f.subject == "client:app/scope:read.legacy"
	f.message == "client app holds deprecated scope read.legacy (replaced by read.orders)"
	f.evidence == {"status": "deprecated", "deprecatedSince": "2026-01-15", "replacedBy": "read.orders"}
}

test_active_scope_passes if {
	every f in SG102.findings {
		f.subject != "client:app/scope:read.orders"
	} with input as doc
}
