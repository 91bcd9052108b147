"""portal-config: Stripe customer portal configurations as code."""

__all__ = ["__version__"]

try:  # written by setuptools-scm from the git tag at build time (pyproject.toml)
    from ._version import __version__
except ImportError:  # built before the package held it, or never built
    from importlib.metadata import PackageNotFoundError, version

    try:  # the installed distribution's
        __version__ = version("portal-config")
    except PackageNotFoundError:  # run from a source tree that was never installed
        __version__ = "0+unknown"
