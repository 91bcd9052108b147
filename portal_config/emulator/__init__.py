"""A stateful Stripe API emulator for the endpoints portal-config uses (billing portal
configurations and sessions, prices, products, customers), served on loopback over HTTP.

It knows nothing of the rest of portal-config: the tool talks to it through the stripe SDK.
"""

from .emulator import Emulator, LoggedRequest
from .errors import EmulatorError, SeedError
from .seed import load_seed_file

__all__ = ["Emulator", "EmulatorError", "LoggedRequest", "SeedError", "load_seed_file"]
