"""Benchmarks of portal-config as a user runs it (child processes against the emulator), each
beside its floor. Run them with `python -m benchmarks`; see benchmarks/README.md."""
