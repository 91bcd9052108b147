"""What the tests share: `cli` (the one way to run `portal-config` in-process), `gateway` (an
in-memory Gateway, a fleet's accounts included), `samples` (configurations and files),
`projects` (project folders on disk) and `lsp` (a bounded Language Server Protocol client for the
editor's own language server)."""
