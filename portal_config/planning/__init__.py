"""From desired state and Stripe's configurations to a plan, without a request: which
configuration each file is (match), the typed changes (changes), the plan and its fingerprints
(plan), and saved plans (planfile)."""
