"""Stripe's API, the only package that imports `stripe`: `connection.connect(env)` applies the
safety rules (project/safety.py) before any request, starts the embedded emulator for `emulator:`
environments, and yields a `client.StripeGateway`, the `gateway.Gateway` protocol's
implementation. Its other modules: `sdk` (the SDK's client, with deadlines), `transport` (one
request within its deadline and bounds), `answers` (the shape of every answer), `failures` (a
failed request worded), `ratelimit`, `notices` (Stripe-Notice headers held back).

Nothing is imported here, so that `gateway` (the Protocol) and `transport` can be imported
without importing `stripe`.
"""
