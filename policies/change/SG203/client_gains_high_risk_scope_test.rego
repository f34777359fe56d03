package scopeguard.change.rules.SG203_test

import data.scopeguard.change.rules.SG203
import data.scopeguard.change.testing as t

scopes := {"pay": t.scope({"name": "pay", "sensitivity": "critical"}), "read.orders": t.scope({})}

test_grant_of_critical_scope_is_reported if {
	head := {"scopes": scopes, "clients": {"app": t.client({"scopes": ["pay", "read.orders"]})}}
	changes := [
		t.change("client.scope-granted", "client:app/scope:pay", {"client": "app", "scope": "pay"}),
		t.change("client.scope-granted", "client:app/scope:read.orders", {"client": "app", "scope": "read.orders"}),
	]
	findings := SG203.findings with input as t.change_input({"scopes": scopes}, head, changes, [])
	t.subjects(findings) == {"client:app/scope:pay"}
	some f in findings
	f.message == "client app gains critical scope pay"
}

test_new_client_with_critical_scope_is_reported if {
	head := {"scopes": scopes, "clients": {"new": t.client({"scopes": ["pay"]})}}
	changes := [t.change("client.added", "client:new", {"client": "new"})]
	t.subjects(SG203.findings) == {"client:new/scope:pay"} with input as t.change_input({"scopes": scopes}, head, changes, [])
}
