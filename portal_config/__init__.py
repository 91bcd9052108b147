"""portal-config: Stripe customer portal configurations as code."""

__version__ = "0.1.0"
