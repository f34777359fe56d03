# METADATA
# title: Grants drifted from the registry
# description: >-
#   The provider reports a scope set for a client that differs from the registry, or issued the client tokens with
#   scopes the registry does not grant: a change made at the provider that never went through review. The reported
#   set is the newest grant or client change in the window that did not fail and carries scopes (one without, such as
#   a secret rotation, says nothing about them). Scopes are compared through `implies`: a scope that a registry grant
#   implies is not added at the provider, and a registry grant that a reported scope implies is not missing there.
# custom:
#   id: SG309
#   severity: high
#   remediation: "Either record the change in the registry through a reviewed pull request, or undo it at the provider."
package scopeguard.usage.rules.SG309

import data.scopeguard.lib.registry as reg

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some client in usage.clients
	observed := {s | some s in client.observedGrants.scopes}
	registered := {s | some s in client.granted}

	# what each side holds: its scopes and every scope they imply
	observed_holds := {s | some s in client.observedGrants.withImplied}
	registered_holds := {s | some s in client.grantedWithImplied}
	added := observed - registered_holds
	removed := registered - observed_holds
	count(added) + count(removed) > 0
	finding := {
		"tenant": tenant_name,
		"subject": reg.client_subject(client.client),
		"message": sprintf("the provider's scopes for client %s differ from the registry: %s", [client.client, changes(added, removed)]),
		"evidence": {
			"kind": "provider-grants",
			"count": 1,
			"added": sort(added),
			"removed": sort(removed),
			"first": client.observedGrants.at,
			"last": client.observedGrants.at,
			"sampleEventIds": [client.observedGrants.eventId],
		},
	}
}

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some client in usage.clients
	some issued in client.issuedNotGranted
	finding := {
		"tenant": tenant_name,
		"subject": reg.grant_subject(client.client, issued.scope),
		"message": sprintf("the provider issued %s to client %s %d times, but the registry does not grant it", [issued.scope, client.client, issued.count]),
		"evidence": object.union(issued, {"kind": "issued-not-granted"}),
	}
}

changes(added, removed) := concat("; ", [part |
	some part in [
		sprintf("added at the provider: %s", [concat(", ", sort(added))]),
		sprintf("missing at the provider: %s", [concat(", ", sort(removed))]),
	]
	not endswith(part, ": ")
])
