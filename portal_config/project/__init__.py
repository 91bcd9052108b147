"""The project as files: the project file and its environments, configuration files read as YAML
within bounds (loader, libyaml, limits), checked against Stripe's schema and rules, variables
filled and overrides merged per environment (config builds `spec`'s types), a fleet's spec, and
where files live and may be written (paths). Offline: nothing here talks to Stripe."""
