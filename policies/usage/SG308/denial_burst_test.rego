package scopeguard.usage.rules.SG308_test

import data.scopeguard.usage.rules.SG308

usage_input(peak) := {"usage": {"tenants": {"acme": {"clients": [{"client": "app", "denials": {"count": peak + 2, "peakCount": peak, "peakDay": "2026-11-20", "sampleEventIds": []}}]}}}}

test_burst_is_reported if {
	some finding in SG308.findings with input as usage_input(25)
	finding.subject == "client:app"
}

test_few_denials_are_not_reported if {
	count(SG308.findings) == 0 with input as usage_input(3)
	count(SG308.findings) == 0 with input as usage_input(25) with data.config.thresholds.denialBurst as 50
}
