"""masking.py: a loaded key is masked by its value, any key-like string by the pattern, and the
stream cli.main writes through masks every line, however it is written."""

from __future__ import annotations

import io
import traceback
from collections.abc import Iterator

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal_config import masking
from portal_config.render.markup import code

LOADED = "sk_test_e2e_with_underscores_1234"  # no pattern finds a key with _ in it


@pytest.fixture(autouse=True)
def loaded() -> Iterator[None]:
    masking.forget()
    masking.register(LOADED + "\n")  # as pasted, newline and all
    yield
    masking.forget()


def test_a_loaded_key_is_masked_by_its_value_and_others_by_the_pattern() -> None:
    text = f"bad key {LOADED}; also sk_live_abcdefghij5678 and {LOADED}\n"
    assert masking.mask_secrets(text) == (
        "bad key sk_test_...1234; also sk_live_...5678 and sk_test_...1234\n"
    )
    masking.forget()
    assert LOADED in masking.mask_secrets(text)  # forgotten: the pattern alone misses it


def test_a_pasted_key_is_masked_with_or_without_what_came_with_it() -> None:
    masking.register(" 'rk_live_pasted_with_quotes_9876' ")
    assert masking.mask_secrets("'rk_live_pasted_with_quotes_9876'") == "'rk_live_...9876'"
    assert masking.mask_secrets("<rk_live_pasted_with_quotes_9876>") == "<rk_live_...9876>"


@pytest.mark.parametrize(
    "underscore",
    [
        "&#95;",  # markup.py's HTML entity (the markdown report)
        "&#x5F;",
        "&lowbar;",
        "\\u005f",  # a JSON escape
        "\\_",  # a markdown backslash escape
        "%5F",  # a URL
    ],
)
def test_a_key_is_masked_however_a_renderer_encoded_it(underscore: str) -> None:
    """Masking runs on the final text: a key found in it decoded, masked in it as encoded."""
    stripe_shaped = "rk_live_abcdefghij5678"
    for key, masked in ((LOADED, "sk_test_...1234"), (stripe_shaped, "rk_live_...5678")):
        text = f"<code>{key.replace('_', underscore)}</code>"
        assert masking.mask_secrets(text) == f"<code>{masked.replace('_', underscore)}</code>"


def test_a_key_in_the_markdown_report_is_masked_and_the_rest_left_as_it_was() -> None:
    text = f"| {code('a_b & c')} | {code(LOADED)} | {code('sk_live_abcdefghij5678')} |"
    assert masking.mask_secrets(text) == (
        "| <code>a&#95;b &#38; c</code> | <code>sk&#95;test&#95;...1234</code> | "
        "<code>sk&#95;live&#95;...5678</code> |"
    )
    # a numeric reference without its `;`, as browsers read it
    assert masking.mask_secrets("sk&#95live&#95abcdefghij5678") == "sk&#95live&#95...5678"
    assert masking.mask_secrets("&#95; &amp; \\u0041 %41 \\*") == "&#95; &amp; \\u0041 %41 \\*"


def test_a_short_value_is_not_registered() -> None:
    masking.register("sk_test_")  # masking it would mangle every prefix in the output
    assert masking.mask_secrets("sk_test_...1234") == "sk_test_...1234"


def test_find_keys_names_the_prefix_of_each_kind() -> None:
    text = (
        "sk_live_abcdefghij rk_test_abcdefghij pk_test_abcdefghij whsec_abcdefghij "
        "pk_test_short xsk_live_abcdefghij"
    )
    assert masking.find_keys(text) == ["sk_live_", "rk_test_", "pk_test_", "whsec_"]


def test_the_stream_masks_a_key_written_in_pieces_and_on_flush() -> None:
    inner = io.StringIO()
    stream = masking.MaskedStream(inner)
    stream.write("key: " + LOADED[:10])
    stream.write(LOADED[10:] + " end\nnext ")
    assert inner.getvalue() == "key: sk_test_...1234 end\n"
    stream.write(LOADED)
    stream.flush()
    assert inner.getvalue() == "key: sk_test_...1234 end\nnext sk_test_...1234"


def test_click_and_tracebacks_write_through_the_stream() -> None:
    inner = io.StringIO()
    stream = masking.MaskedStream(inner)
    click.echo(f"Error: {LOADED}", file=stream)  # type: ignore[arg-type]
    try:
        raise RuntimeError(f"Stripe said {LOADED}")
    except RuntimeError:
        traceback.print_exc(file=stream)  # type: ignore[arg-type]
    stream.flush()
    assert "Error: sk_test_...1234\n" in inner.getvalue()
    assert "RuntimeError: Stripe said sk_test_...1234" in inner.getvalue()
    assert LOADED not in inner.getvalue()
    with pytest.raises(TypeError):
        stream.write(b"")  # type: ignore[arg-type]


def test_bytes_click_writes_to_the_buffer_are_masked_too() -> None:
    """click.echo writes bytes (shell completion's script) to the stream's buffer."""
    inner = io.StringIO()
    stream = masking.MaskedStream(inner)
    click.echo(f"café {LOADED}".encode(), file=stream)  # type: ignore[arg-type]
    assert inner.getvalue() == "café sk_test_...1234\n"


def test_sandbox_and_organization_keys_are_secrets_too() -> None:
    # rkcs_test_: `stripe sandbox create`'s keys; sk_org: an organization's (any mode)
    sandbox, org = "rkcs_test_51QaZ0123456789abcdWXYZ", "sk_org_0123456789abcdefWXYZ"
    text = f"sandbox {sandbox} org {org} and sk&#95;org&#95;0123456789abcdefWXYZ"
    assert masking.mask_secrets(text) == (
        "sandbox rkcs_test_...WXYZ org sk_org_...WXYZ and sk&#95;org&#95;...WXYZ"
    )
    assert masking.find_keys(f"{sandbox} {org}") == ["rkcs_test_", "sk_org_"]
    masking.register("sk_org_live_pasted_with_underscores")
    assert masking.mask_secrets("x sk_org_live_pasted_with_underscores y") == (
        "x sk_org_live_...ores y"
    )


@given(
    st.lists(
        st.sampled_from(
            ["sk_", "rk_", "pk_", "rkcs_", "whsec_", "org_", "live_", "test_", "_", "k", "s"]
            + ["abcdefghij1234", "Z9", " ", "\n", "\\u005f", "é"]
        ),
        max_size=8,
    ).map("".join)
)
def test_a_text_said_to_hold_no_key_holds_none(text: str) -> None:
    """validate skips KEY_LIKE's scan of a text may_hold_key clears: never one holding a key."""
    if masking.KEY_LIKE.search(text):
        assert masking.may_hold_key(text)


def test_every_kind_of_key_may_be_held() -> None:
    for prefix in ("sk_live_", "rk_test_", "rkcs_test_", "sk_org_", "sk_org_live_", "pk_live_"):
        assert masking.may_hold_key(f"x {prefix}abcdefghij1234")
    assert masking.may_hold_key("whsec_abcdefghij1234")
    assert not masking.may_hold_key("name: Portal\nfeatures: {invoice_history: {enabled: true}}")
