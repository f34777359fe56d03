package scopeguard.registry_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry

test_every_rule_package_is_collected_and_tagged if {
	doc := t.registry_input({
		"scopes": {"read.orders": t.scope({"owner": ""})},
		"clients": {"app": t.client({"type": "public", "scopes": ["read.orders"]})},
	})
	rules := {f.rule | some f in registry.findings} with input as doc
	rules == {"SG101", "SG104"}
}

test_clean_registry_has_no_findings if {
	doc := t.registry_input({
		"scopes": {"read.orders": t.scope({})},
		"actions": {"read.orders": [{"pattern": "GET /v1/orders/**", "method": "GET", "path": "/v1/orders/**"}]},
		"clients": {"app": t.client({"scopes": ["read.orders"]})},
	})
	count(registry.findings) == 0 with input as doc
}
