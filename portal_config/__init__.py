"""portal-config: Stripe customer portal configurations as code."""

from importlib.metadata import PackageNotFoundError, version

try:  # the installed distribution's, which setuptools-scm took from the git tag
    __version__ = version("portal-config")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
