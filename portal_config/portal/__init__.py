"""Stripe's portal configuration itself: its fields from Stripe's OpenAPI (openapi), its
canonical comparable form and identity keys (model), and the exact request for a set of changed
fields (payload)."""
