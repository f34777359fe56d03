package scopeguard.registry.rules.SG107_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG107

holders(n, scope_name) := {sprintf("c%d", [i]): t.client({"scopes": [scope_name]}) | some i in numbers.range(1, n)}

test_public_client_with_each_kind_of_broad_scope_is_reported if {
	doc := t.registry_input({
		"scopes": {"admin": t.scope({}), "orders.all": t.scope({}), "gateway": t.scope({}), "read.orders": t.scope({})},
		"actions": {
			"gateway": [{"pattern": "* /**", "method": "*", "path": "/**"}],
			"read.orders": [{"pattern": "GET /v1/orders/**", "method": "GET", "path": "/v1/orders/**"}],
		},
		"clients": {"spa": t.client({"type": "public", "scopes": ["admin", "orders.all", "gateway", "read.orders"]})},
	})
	t.subjects(SG107.findings) == {"client:spa/scope:admin", "client:spa/scope:orders.all", "client:spa/scope:gateway"} with input as doc
}

test_more_holders_than_the_threshold_is_reported if {
	doc := t.registry_input({"scopes": {"*": t.scope({})}, "clients": holders(4, "*")})
	some f in SG107.findings with input as doc
	f.subject == "scope:*"
	f.key == "holders"
	f.evidence == {"holders": ["c1", "c2", "c3", "c4"], "maxHolders": 3}
}

test_holders_at_the_threshold_pass if {
	doc := t.registry_input({"scopes": {"*": t.scope({})}, "clients": holders(3, "*")})
	count(SG107.findings) == 0 with input as doc
}

test_threshold_comes_from_config if {
	doc := t.registry_input({"scopes": {"*": t.scope({})}, "clients": holders(3, "*")})
	count(SG107.findings) == 1 with input as doc with data.config as {"thresholds": {"maxHoldersOfBroadScope": 2}}
}

test_rule_option_overrides_threshold if {
	doc := t.registry_input({"scopes": {"*": t.scope({})}, "clients": holders(4, "*")})
	count(SG107.findings) == 0 with input as doc
		with data.config as {"thresholds": {"maxHoldersOfBroadScope": 2}, "rules": {"SG107": {"maxHolders": 10}}}
}

test_narrow_scopes_with_many_holders_pass if {
	doc := t.registry_input({"scopes": {"read.orders": t.scope({})}, "clients": holders(10, "read.orders")})
	count(SG107.findings) == 0 with input as doc
}
