"""Stripe back into files: `import` writes new configuration files (importer), `pull` edits
existing ones in place, keeping comments and layout (pull, yamledit)."""
