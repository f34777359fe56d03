# METADATA
# title: Exception added or extended beyond the maximum period
# description: >-
#   An exception waives a finding until it expires; one added or extended to run longer than `maxExceptionDays` from
#   today is a permanent waiver in disguise.
# custom:
#   id: SG207
#   severity: medium
#   remediation: "Shorten the exception to at most maxExceptionDays (scopeguard.yaml thresholds) and fix the finding within that time."
package scopeguard.change.rules.SG207

import data.scopeguard.lib.config

kinds := {"exception.added", "exception.extended"}

findings contains finding if {
	some change in input.diff.changes
	change.kind in kinds
	maximum := config.threshold("maxExceptionDays")
	change.daysUntilExpiry > maximum
	finding := {
		"tenant": change.tenant,
		"subject": change.subject,
		"key": change.after,
		"message": sprintf("%s until %s, %d days from today (maximum %d)", [verb(change.kind), change.after, change.daysUntilExpiry, maximum]),
		"evidence": {"expires": change.after, "daysUntilExpiry": change.daysUntilExpiry, "maxExceptionDays": maximum},
	}
}

verb("exception.added") := "exception added"

verb("exception.extended") := "exception extended"
