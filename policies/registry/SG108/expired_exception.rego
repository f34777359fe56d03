# METADATA
# title: Expired exception
# description: >-
#   An exception waives a finding until its `expires` date (inclusive). After that it no longer waives: the finding
#   it covered is reported again, and the stale exception itself is reported so it gets renewed or removed.
# custom:
#   id: SG108
#   severity: medium
#   remediation: "Fix the waived finding and delete the exception, or renew it with a new `expires` date and a current reason."
package scopeguard.registry.rules.SG108

# `expired` and `daysUntilExpiry` come from the input builder (dates are computed in TypeScript, not in Rego).
findings contains finding if {
	some tenant_name, tenant in input.tenants
	some exception in tenant.exceptions
	exception.expired
	finding := {
		"tenant": tenant_name,
		"subject": exception.subject,
		"key": exception.rule,
		"exception": exception.index,
		"message": concat("", [
			"exception for ", exception.rule, " on ", exception.subject, " expired on ", exception.expires,
			" (", format_int(0 - exception.daysUntilExpiry, 10), " days ago) and no longer waives it",
		]),
		"evidence": {"rule": exception.rule, "expires": exception.expires, "daysExpired": 0 - exception.daysUntilExpiry},
	}
}
