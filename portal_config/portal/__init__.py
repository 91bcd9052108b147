"""Stripe's portal configuration itself: its fields from Stripe's OpenAPI (openapi), its
canonical comparable form (model), whose it is and the default's rules (identity), and the exact
request for a set of changed fields (payload)."""
