"""site_builder.core.xmltext escapes exactly as xml.sax.saxutils does (diagrams, charts, QR
codes and the feed are the same bytes either way)."""

from __future__ import annotations

from xml.sax.saxutils import escape as sax_escape
from xml.sax.saxutils import quoteattr as sax_quoteattr

from hypothesis import given
from hypothesis import strategies as st

from site_builder.core.xmltext import escape, quoteattr

TEXT = st.text(st.sampled_from("a&<>\"'\n\r\t 中;#") | st.characters(), max_size=20)


@given(TEXT)
def test_escape_is_saxutils_escape(text: str) -> None:
    assert escape(text) == sax_escape(text)


@given(TEXT)
def test_quoteattr_is_saxutils_quoteattr(text: str) -> None:
    assert quoteattr(text) == sax_quoteattr(text)


def test_quotes_are_chosen_by_what_the_value_holds() -> None:
    assert quoteattr('say "hi"') == "'say \"hi\"'"
    assert quoteattr("it's \"x\"") == '"it\'s &quot;x&quot;"'
    assert quoteattr("a\nb") == '"a&#10;b"'
