# METADATA
# title: Registry helpers
# description: Subjects, sensitivity classes and scope shapes shared by the registry, change and usage rules.
package scopeguard.lib.registry

high_risk_sensitivities := {"high", "critical"}

retired_statuses := {"deprecated", "removed"}

# Names that grant everything by convention, whatever their action map says.
broad_scope_names := {"*", "admin"}

scope_subject(name) := concat("", ["scope:", name])

client_subject(name) := concat("", ["client:", name])

grant_subject(client_name, scope_name) := concat("", ["client:", client_name, "/scope:", scope_name])

high_risk(scope) if scope.sensitivity in high_risk_sensitivities

blank(text) if trim_space(text) == ""

# broad holds for a scope name of a tenant that grants (nearly) everything: `*`, `admin`, `*.all`, or one whose
# action map covers every path (`/**`).
broad(_, scope_name) if scope_name in broad_scope_names

broad(_, scope_name) if {
	not scope_name in broad_scope_names
	endswith(scope_name, ".all")
}

broad(tenant, scope_name) if {
	not scope_name in broad_scope_names
	not endswith(scope_name, ".all")
	some action in tenant.actions[scope_name]
	action.path == "/**"
}

# justification of a client for one scope, or "" when it gave none.
justification(client, scope_name) := text if {
	text := client.justification[scope_name]
} else := ""
