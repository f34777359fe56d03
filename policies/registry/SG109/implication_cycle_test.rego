package scopeguard.registry.rules.SG109_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG109

doc := t.registry_input({"scopes": {
	# a three-scope cycle, entered from outside by admin.orders
	"admin.orders": t.scope({"implies": ["write.orders"], "impliesAll": ["list.orders", "read.orders", "write.orders"]}),
	"write.orders": t.scope({"implies": ["read.orders"], "impliesAll": ["list.orders", "read.orders"]}),
	"read.orders": t.scope({"implies": ["list.orders"], "impliesAll": ["list.orders", "write.orders"]}),
	"list.orders": t.scope({"implies": ["write.orders"], "impliesAll": ["read.orders", "write.orders"]}),
	"read.self": t.scope({"implies": ["read.self"], "impliesAll": []}),
	"read.plain": t.scope({"implies": ["read.orders"], "impliesAll": ["list.orders", "read.orders", "write.orders"]}),
}})

test_a_cycle_is_reported_once_at_its_first_scope if {
	t.subjects(SG109.findings) == {"scope:list.orders", "scope:read.self"} with input as doc
}

test_the_message_names_the_cycle if {
	some f in SG109.findings with input as doc
	f.subject == "scope:list.orders"
	f.message == "scope list.orders implies itself through read.orders, write.orders"
	f.evidence.cycle == ["list.orders", "read.orders", "write.orders"]
}

test_a_scope_listing_itself_is_reported if {
	some f in SG109.findings with input as doc
	f.subject == "scope:read.self"
	f.message == "scope read.self lists itself in implies"
}

test_a_chain_without_a_cycle_is_fine if {
	count(SG109.findings) == 0 with input as t.registry_input({"scopes": {
		"write.orders": t.scope({"implies": ["read.orders"], "impliesAll": ["list.orders", "read.orders"]}),
		"read.orders": t.scope({"implies": ["list.orders"], "impliesAll": ["list.orders"]}),
		"list.orders": t.scope({}),
	}})
}
