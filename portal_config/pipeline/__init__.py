"""The steps plan, apply, ids and diff share once a gateway is open: read an environment (or each
account of a fleet) and plan it (plan_target, fleet_plan, fleet_read, fanout), resolve prices in
Stripe (prices), list configuration IDs (ids, fleet_ids), and the offline diff against a base
revision (revdiff)."""
