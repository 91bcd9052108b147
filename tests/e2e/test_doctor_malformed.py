"""doctor on an answer of the wrong shape (issue 18.9): a malformed-answer finding, never an
internal error. The emulator stores the value through its store (a test-only path: its API
refuses it, as Stripe would)."""

from __future__ import annotations

from .test_doctor import HEALTHY_DEFAULT, finding


def test_a_return_url_that_is_not_text_is_a_malformed_answer(project) -> None:
    project.emulator.seed({"default_configuration": HEALTHY_DEFAULT})
    stored = project.emulator.store.account("test", None).configurations
    for config in stored.values():
        config["default_return_url"] = 12
    result = project.run("doctor", "--env", "staging")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "Internal error" not in result.output
    # responses.py checks every field's type as the configuration is read, doctor's reads too
    line = finding(result, "problem", "Stripe's answer is malformed", "default_return_url is 12")
    assert "fix: " in line
