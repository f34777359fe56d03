# METADATA
# title: Broad scope held by a public client or by too many clients
# description: >-
#   A broad scope (`*`, `admin`, `*.all`, or one whose actions cover `/**`) grants nearly everything. It must never
#   reach a public client, and the number of clients holding it should stay small (thresholds.maxHoldersOfBroadScope,
#   default 3, or rules.SG107.maxHolders).
# custom:
#   id: SG107
#   severity: high
#   options: [maxHolders]
#   remediation: "Grant the clients the narrow scopes they actually use instead of the broad one; keep the broad scope for a few audited confidential clients."
package scopeguard.registry.rules.SG107

import data.scopeguard.lib.config
import data.scopeguard.lib.registry as reg

max_holders := config.option("SG107", "maxHolders", config.threshold("maxHoldersOfBroadScope"))

findings contains finding if {
	some tenant_name, tenant in input.tenants
	some client_name, client in tenant.clients
	client.type == "public"
	some scope_name in client.scopes
	reg.broad(tenant, scope_name)
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client_name, scope_name),
		"key": "public-client",
		"message": concat(" ", ["public client", client_name, "holds broad scope", scope_name]),
		"evidence": {"clientType": client.type},
	}
}

broad_scopes[tenant_name] contains scope_name if {
	some tenant_name, tenant in input.tenants
	some scope_name, _ in tenant.scopes
	reg.broad(tenant, scope_name)
}

# One pass over the grants collects the holders of broad scopes only, so the cost is (grants), not (scopes × grants).
broad_holders[tenant_name][scope_name] contains client_name if {
	some tenant_name, tenant in input.tenants
	broad := broad_scopes[tenant_name]
	some client_name, client in tenant.clients
	some scope_name in client.scopes
	scope_name in broad
}

findings contains finding if {
	some tenant_name, by_scope in broad_holders
	some scope_name, holder_set in by_scope
	count(holder_set) > max_holders
	holders := sort(holder_set)
	finding := {
		"tenant": tenant_name,
		"subject": reg.scope_subject(scope_name),
		"key": "holders",
		"message": concat("", [
			"broad scope ", scope_name, " is held by ", format_int(count(holders), 10),
			" clients (more than ", format_int(max_holders, 10), ")",
		]),
		"evidence": {"holders": holders, "maxHolders": max_holders},
	}
}
