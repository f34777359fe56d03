# METADATA
# title: Finding aggregation
# description: >-
#   Wraps each finding of a rule package with the package's name, so the engine can name the rule even when a
#   (custom) rule returns something malformed. The engine validates the finding itself.
package scopeguard.lib.findings

tagged(rule_id, finding) := {"rule": rule_id, "finding": finding}
