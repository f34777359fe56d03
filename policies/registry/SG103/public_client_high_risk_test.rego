package scopeguard.registry.rules.SG103_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG103

doc := t.registry_input({
	"scopes": {
		"read.orders": t.scope({}),
		"read.data": t.scope({"sensitivity": "high"}),
		"pay": t.scope({"sensitivity": "critical"}),
	},
	"clients": {
		"spa": t.client({"type": "public", "scopes": ["read.orders", "read.data", "pay"]}),
		"backend": t.client({"type": "confidential", "scopes": ["read.data", "pay"]}),
	},
})

test_public_client_with_high_and_critical_scopes_is_reported if {
	t.subjects(SG103.findings) == {"client:spa/scope:read.data", "client:spa/scope:pay"} with input as doc
}

test_message_names_sensitivity if {
	some f in SG103.findings with input as doc
	f.subject == "client:spa/scope:pay"
	f.message == "public client spa holds critical scope pay"
}
