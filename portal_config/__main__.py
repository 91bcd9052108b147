"""`python -m portal_config`, the same as the `portal-config` command."""

from .cli import main

main()
