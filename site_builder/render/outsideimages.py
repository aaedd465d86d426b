"""Images from other websites in editors' Markdown: found, and located in the content file.

A page that shows an image from another site makes every reader's browser ask that site
for it: the other site learns who reads the page and when (a tracking pixel on a
government page), and can change or remove the picture at any time. So an image in the
text must be a file of the site; `outside_images: warn` in site.yaml allows them with a
warning. Links to other sites stay allowed: a link is only followed when clicked.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path

OUTSIDE_IMAGE_MODES = ("error", "warn")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# Browsers drop these anywhere in a URL (`ht<tab>tps:` is `https:`) …
_DROPPED = re.compile(r"[\t\n\r]")
# … and these around it.
_TRIMMED = "".join(chr(c) for c in range(0x21))
_SRC = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)


def outside_url(value: str) -> bool:
    """Whether a browser would fetch the image address `value` from another site: any
    scheme (https:, http:) or a network path (//host/…, or /\\host/… as browsers read it)."""
    url = _DROPPED.sub("", value).strip(_TRIMMED).replace("\\", "/")
    return bool(_SCHEME.match(url)) or url.startswith("//")


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def locate(text: str, first_line: int, needle: str, start: int
           ) -> tuple[int, int, int, str] | None:
    """Where `needle` first occurs in `text` at or after index `start` (text starts on
    `first_line`): line, column, the index after it and the text as written there. An
    address written with character references (`&#104;ttps:`) is found as the value of a
    src attribute. None when the text does not hold it."""
    index = text.find(needle, start) if needle else -1
    end = index + len(needle)
    if index < 0:
        for attribute in _SRC.finditer(text, start):
            value = next(v for v in attribute.groups() if v is not None)
            if html.unescape(value) == needle:
                index, end = attribute.start(attribute.lastindex or 1), attribute.end()
                break
        else:
            return None
    line_start = text.rfind("\n", 0, index) + 1
    return (first_line + text.count("\n", 0, index), index - line_start + 1, end,
            text[index:end].rstrip("\"'"))


def file_column(source: str | None, line: int, col: int, needle: str) -> int:
    """`col`, counted in the text, as a column of the file's `line`: a YAML value is
    indented (a `|` block) or follows its key, so the text's column is not the file's."""
    if source is None:
        return col
    lines = source.splitlines()
    if not 0 < line <= len(lines):
        return col
    index = lines[line - 1].find(needle, col - 1)
    return index + 1 if index >= 0 else col


def content_reader(content_dir: Path) -> Callable[[str], str | None]:
    """A reader of content files by path relative to content/ (only when a problem needs
    its column: nothing is read otherwise)."""

    def read(rel: str) -> str | None:
        try:
            return (content_dir / rel).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError, ValueError):
            return None

    return read
