"""The CLI's commands, one module each: a typed request, `execute(request, ...) -> exit code`
that runs outside click, and `command`, the click function that only builds the request."""
