# METADATA
# title: Settings
# description: >-
#   Thresholds and per-rule options from scopeguard.yaml, passed to the policy as data.config. The defaults here
#   are the same as the TypeScript config resolver's, so a rule evaluated without data (opa test) behaves as with
#   an empty scopeguard.yaml.
package scopeguard.lib.config

default_thresholds := {
	"unusedScopeDays": 90,
	"idleTokenDays": 30,
	"minDeprecationDays": 30,
	"maxExceptionDays": 180,
	"spikeFactor": 5,
	"maxHoldersOfBroadScope": 3,
	"denialBurst": 10,
}

# settings is data.config, or nothing when the policy runs without data (opa test).
default settings := {}

settings := data.config

# threshold returns thresholds.<name> from scopeguard.yaml, else its default.
threshold(name) := object.get(settings, ["thresholds", name], default_thresholds[name])

# option returns rules.<rule_id>.<name> from scopeguard.yaml (e.g. rules: {SG107: {maxHolders: 5}}), else fallback.
option(rule_id, name, fallback) := object.get(settings, ["rules", rule_id, name], fallback)
