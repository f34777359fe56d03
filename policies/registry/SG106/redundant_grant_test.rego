package scopeguard.registry.rules.SG106_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG106

doc := t.registry_input({
	"scopes": {
		"write.orders": t.scope({"implies": ["read.orders"], "impliesAll": ["read.orders", "list.orders"]}),
		"read.orders": t.scope({"implies": ["list.orders"], "impliesAll": ["list.orders"]}),
		"list.orders": t.scope({}),
	},
	"clients": {
		"both": t.client({"scopes": ["write.orders", "read.orders"]}),
		"chain": t.client({"scopes": ["write.orders", "list.orders"]}),
		"narrow": t.client({"scopes": ["read.orders"]}),
	},
})

test_direct_and_transitive_redundancy_are_reported if {
	t.subjects(SG106.findings) == {"client:both/scope:read.orders", "client:chain/scope:list.orders"} with input as doc
}

test_key_is_the_broader_scope if {
	some f in SG106.findings with input as doc
	f.subject == "client:chain/scope:list.orders"
	f.key == "write.orders"
	f.message == "client chain holds list.orders, which write.orders already implies"
}
