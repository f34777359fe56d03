# METADATA
# title: Broad scope held by a public client or by too many clients
# description: >-
#   A broad scope (`*`, `admin`, `*.all`, or one whose actions cover `/**`) grants nearly everything. It must never
#   reach a public client, and the number of clients holding it should stay small (thresholds.maxHoldersOfBroadScope,
#   default 3, or rules.SG107.maxHolders).
# custom:
#   id: SG107
#   severity: high
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
		"message": sprintf("public client %s holds broad scope %s", [client_name, scope_name]),
		"evidence": {"clientType": client.type},
	}
}

# Holders are counted for broad scopes only, so the cost is (broad scopes × grants), not (scopes × grants).
findings contains finding if {
	some tenant_name, tenant in input.tenants
	some scope_name, _ in tenant.scopes
	reg.broad(tenant, scope_name)
	holders := sort([client_name | some client_name, client in tenant.clients; scope_name in client.scopes])
	count(holders) > max_holders
	finding := {
		"tenant": tenant_name,
		"subject": reg.scope_subject(scope_name),
		"key": "holders",
		"message": sprintf(
			"broad scope %s is held by %d clients (more than %d)",
			[scope_name, count(holders), max_holders],
		),
		"evidence": {"holders": holders, "maxHolders": max_holders},
	}
}
