# METADATA
# title: Unknown client
# description: >-
#   Events from a client id that no client in the registry has: a shadow integration created at the provider
#   without review, or a registry entry that is missing. A client deleted at the provider (its newest event in the
#   window that did not fail is a client.deleted that did not fail) is no longer reported: the remediation is done.
# custom:
#   id: SG306
#   severity: high
#   remediation: "Register the client (with owner, scopes and justification) or delete it at the provider."
package scopeguard.usage.rules.SG306

findings contains finding if {
	some tenant_name, usage in input.usage.tenants
	some unknown in usage.unknownClients
	not unknown.deletedAt
	finding := {
		"tenant": tenant_name,
		"subject": concat("", ["client:", unknown.clientId]),
		"message": sprintf("client id %s is not in the registry but appears in %d events (%s)", [unknown.clientId, unknown.evidence.count, concat(", ", unknown.types)]),
		"evidence": object.union(unknown.evidence, {"types": unknown.types}),
	}
}
