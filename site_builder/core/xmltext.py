"""Text and attribute values for XML and SVG, escaped as xml.sax.saxutils does it.

Not saxutils itself: importing it brings urllib.request, and with it the http, ssl and
email packages (8 ms of every build's start, for two small functions)."""

from __future__ import annotations

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# In an attribute, line breaks and tabs would be read back as spaces: keep them as they are.
_ATTRIBUTE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\n": "&#10;",
                            "\r": "&#13;", "\t": "&#9;"})


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities."""
    return text.translate(_TEXT)


def quoteattr(value: str) -> str:
    """The value escaped and quoted: in double quotes, or in single quotes when it holds a
    double quote and no single one (else its double quotes become `&quot;`)."""
    text = value.translate(_ATTRIBUTE)
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'
