# METADATA
# title: Change by someone who does not own what they changed
# description: >-
#   `owners` in scopeguard.yaml lists, per owner (team), the git author emails and GitHub logins allowed to change
#   what it owns. A commit in the range that touches a scope, client, action mapping or exception of an owner whose
#   list does not contain the commit's author is an unauthorized modification. Owners without a list are not judged.
# custom:
#   id: SG205
#   severity: high
#   remediation: "Have a member of the owning team make or approve the change (add their email or login to owners in scopeguard.yaml if they are one)."
package scopeguard.change.rules.SG205

import data.scopeguard.lib.config

findings contains finding if {
	some commit in input.commits
	some touched in commit.touched
	some owner in touched.owners
	allowed := config.settings.owners[owner]
	not may_change(allowed, commit)
	finding := {
		"tenant": touched.tenant,
		"subject": subject(touched),
		"key": sprintf("%s/%s", [commit.commit, owner]),
		"message": sprintf("%s <%s> changed %s of %s in %s (%s): %s", [commit.author, commit.email, touched.subject, owner, substring(commit.commit, 0, 12), commit.date, touched.detail]),
		"evidence": {"commit": commit.commit, "author": commit.author, "email": commit.email, "date": commit.date, "owner": owner, "change": touched.detail},
	}
}

may_change(allowed, commit) if lower(commit.email) in {lower(e) | some e in object.get(allowed, "emails", [])}

may_change(allowed, commit) if lower(commit.login) in {lower(l) | some l in object.get(allowed, "logins", [])}

subject(touched) := sprintf("scope:%s", [touched.name]) if touched.entry == "scope"

subject(touched) := sprintf("client:%s", [touched.name]) if touched.entry == "client"

subject(touched) := touched.subject if touched.entry == "exception"
