# Three of the default tests written the way a policy-as-code user would write them in Rego,
# over the exports themselves (bench/rego_checks.py builds `input` from the files).
#   mfa:        ACC-02.1, active identity-provider accounts without MFA
#   leavers:    ACC-07.1, leavers in the period whose accounts stayed active or were
#               disabled more than one business day after their last day
#   unapproved: CHG-01.1, pull requests merged in the period without an approval from
#               someone other than the author (latest deciding review per reviewer)
package assay.bench

import rego.v1

day_ns := 86400000000000

date_ns(d) := time.parse_ns("2006-01-02", substring(d, 0, 10))

in_period(d) if {
	day := substring(d, 0, 10)
	day >= input.period.start
	day <= input.period.end
}

mfa contains a.Key if {
	some a in input.accounts
	a.Active == "true"
	a.System != "github"
	a.MFA != "true"
}

# Weekdays after `a` up to and including `b`.
business_days(a, b) := n if {
	from := date_ns(a)
	# round(): the quotient of two numbers is not an integer to every Rego evaluator
	days := round((date_ns(b) - from) / day_ns)
	n := count([i | some i in numbers.range(1, days); not weekend(from + i * day_ns)])
}

weekend(t) if time.weekday(t) in {"Saturday", "Sunday"}

late(a, _) if a.Active == "true"

late(a, _) if a["Deactivated At"] == ""

late(a, last) if {
	a["Deactivated At"] != ""
	date_ns(a["Deactivated At"]) > date_ns(last)
	business_days(last, a["Deactivated At"]) > 1
}

# Last day of each leaver in the period, by work email.
leaver_last_day := {lower(p["Work Email"]): p["Termination Date"] |
	some p in input.people
	p["Termination Date"] != ""
	in_period(p["Termination Date"])
}

leavers contains sprintf("%s / %s", [email, a.Key]) if {
	some a in input.accounts
	email := lower(a.Email)
	last := leaver_last_day[email]
	late(a, last)
}

deciding := {"APPROVED", "CHANGES_REQUESTED", "DISMISSED"}

latest_state(pr, login) := state if {
	mine := [r | some r in pr.reviews; r.user.login == login; r.state in deciding]
	last := max([r.submitted_at | some r in mine])
	some r in mine
	r.submitted_at == last
	state := r.state
}

approved_by_other(pr) if {
	some r in pr.reviews
	r.user.login != pr.user.login
	latest_state(pr, r.user.login) == "APPROVED"
}

unapproved contains sprintf("%s#%d", [pr.base.repo.full_name, pr.number]) if {
	some pr in input.pulls
	is_string(pr.merged_at)
	in_period(pr.merged_at)
	not approved_by_other(pr)
}
