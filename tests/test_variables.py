"""Variables written back (`as_written`, what import and pull write) and filled (`fill`): only a
whole value or a URL's origin at a boundary becomes `${name}`, and filling what was written back
always gives the original value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal_config.project.variables import as_written, fill

VARIABLES = {"app_url": "https://example.com", "docs": "https://docs.example.com:8443"}


def filled(value: str, variables: dict[str, str]) -> str:
    problems: list[tuple[tuple[str | int, ...], str]] = []
    out = fill(value, variables, (), problems)
    assert problems == []
    assert isinstance(out, str)
    return out


def test_a_whole_value_or_an_origin_at_a_boundary_becomes_the_variable() -> None:
    assert as_written("https://example.com", VARIABLES) == "${app_url}"
    assert as_written("https://example.com/billing", VARIABLES) == "${app_url}/billing"
    assert as_written("https://example.com?from=portal", VARIABLES) == "${app_url}?from=portal"
    assert as_written("https://example.com#top", VARIABLES) == "${app_url}#top"
    assert as_written("https://docs.example.com:8443/terms", VARIABLES) == "${docs}/terms"


def test_a_host_that_only_starts_like_the_variable_stays_literal() -> None:
    assert as_written("https://example.community/billing", VARIABLES) == (
        "https://example.community/billing"
    )
    assert (
        as_written("https://example.com.evil.test/", VARIABLES) == "https://example.com.evil.test/"
    )
    assert as_written("https://example.com:444/x", VARIABLES) == "https://example.com:444/x"
    assert (
        as_written("https://example.com@evil.test/", VARIABLES) == "https://example.com@evil.test/"
    )


def test_free_text_is_never_rewritten() -> None:
    assert as_written("Visit https://example.com today", VARIABLES) == (
        "Visit https://example.com today"
    )
    assert as_written("See https://example.com/help", VARIABLES) == "See https://example.com/help"


def test_a_literal_dollar_brace_is_escaped() -> None:
    assert as_written("Costs ${price}", VARIABLES) == "Costs $${price}"
    assert as_written("https://example.com/${x}", VARIABLES) == "${app_url}/$${x}"


# Values as Stripe may hold them: URLs near the variables' values, free text, and `$`/`{`/`}`.
_pieces = st.sampled_from(
    [
        "https://",
        "http://",
        "example.com",
        "example.community",
        ".",
        ":8443",
        ":",
        "/",
        "?",
        "#",
        "@",
        "docs.",
        "$",
        "{",
        "}",
        "${",
        "$${",
        " ",
        "today",
        "x",
    ]
)
_text = st.lists(_pieces, max_size=8).map("".join)
_variables = st.dictionaries(
    st.sampled_from(["app_url", "docs", "a", "b_1"]),
    st.one_of(st.sampled_from(list(VARIABLES.values())), _text),
    max_size=3,
)


@given(value=_text, variables=_variables)
def test_writing_back_then_filling_gives_the_original_value(
    value: str, variables: dict[str, str]
) -> None:
    written = as_written(value, variables)
    assert isinstance(written, str)
    assert filled(written, variables) == value


def test_filling_keeps_what_holds_no_variable_as_it_was() -> None:
    """validate fills each file once per environment: what holds no ${...} is the file's own
    value, not a copy (so the schema's second look skips it, and 10,000 files are not held
    twice); what holds one is a new value and the file's data is left as it was."""
    data = {
        "url": "${app_url}/account",
        "features": {"invoice_history": {"enabled": True}, "list": ["a", "b"]},
        "products": [{"prices": ["lookup_key:${plan}"]}, {"prices": ["price_1"]}],
    }
    unfilled: list[tuple[tuple[object, ...], str]] = []
    filled = fill(data, {"app_url": "https://a.example", "plan": "pro"}, (), unfilled)
    assert unfilled == []
    assert filled == {
        "url": "https://a.example/account",
        "features": {"invoice_history": {"enabled": True}, "list": ["a", "b"]},
        "products": [{"prices": ["lookup_key:pro"]}, {"prices": ["price_1"]}],
    }
    assert filled["features"] is data["features"]
    assert filled["products"][1] is data["products"][1]
    assert data["url"] == "${app_url}/account" and data["products"][0] == {
        "prices": ["lookup_key:${plan}"]
    }
    assert fill(data["features"], {}, (), unfilled) is data["features"]
