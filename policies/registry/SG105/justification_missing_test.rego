package scopeguard.registry.rules.SG105_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG105

doc := t.registry_input({
	"scopes": {"read.orders": t.scope({}), "read.data": t.scope({"sensitivity": "high"}), "pay": t.scope({"sensitivity": "critical"})},
	"clients": {
		"justified": t.client({"scopes": ["read.data", "pay"], "justification": {"read.data": "reports", "pay": "refunds"}}),
		"unjustified": t.client({"scopes": ["read.orders", "read.data", "pay"], "justification": {"pay": " "}}),
	},
})

test_high_risk_grants_without_justification_are_reported if {
	t.subjects(SG105.findings) == {"client:unjustified/scope:read.data", "client:unjustified/scope:pay"} with input as doc
}

test_client_without_justification_map_is_reported if {
	d := t.registry_input({
		"scopes": {"read.data": t.scope({"sensitivity": "high"})},
		"clients": {"bare": object.remove(t.client({"scopes": ["read.data"]}), ["justification"])},
	})
	t.subjects(SG105.findings) == {"client:bare/scope:read.data"} with input as d
}
