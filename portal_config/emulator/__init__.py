"""A stateful Stripe API emulator for the endpoints portal-config uses (billing portal
configurations and sessions, prices, products, customers), served on loopback over HTTP.

It knows nothing of the rest of portal-config: the tool talks to it through the stripe SDK.
"""

from .emulator import Emulator, LoggedRequest
from .errors import EmulatorError, SeedError
from .seed import by_mode

__all__ = ["Emulator", "EmulatorError", "LoggedRequest", "SeedError", "by_mode"]
