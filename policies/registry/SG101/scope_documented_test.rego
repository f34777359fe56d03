package scopeguard.registry.rules.SG101_test

import data.scopeguard.lib.testing as t
import data.scopeguard.registry.rules.SG101

test_documented_scope_passes if {
	count(SG101.findings) == 0 with input as t.registry_input({"scopes": {"read.orders": t.scope({})}})
}

test_missing_owner_is_reported if {
	doc := t.registry_input({"scopes": {"read.orders": object.remove(t.scope({}), ["owner"])}})
	some f in SG101.findings with input as doc
	f.subject == "scope:read.orders"
	f.tenant == "acme"
	f.evidence.missing == ["owner"]
}

test_blank_description_and_no_owner_is_one_finding if {
	doc := t.registry_input({"scopes": {"read.orders": object.remove(t.scope({"description": "  "}), ["owner"])}})
	findings := SG101.findings with input as doc
	count(findings) == 1
	some f in findings
	f.message == "scope read.orders has no description and no owner"
}

test_removed_scope_is_exempt if {
	doc := t.registry_input({"scopes": {"old": t.scope({"status": "removed", "owner": ""})}})
	count(SG101.findings) == 0 with input as doc
}
