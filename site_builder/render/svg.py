"""SVG drawing helpers: elements with escaped attributes, and Chinese text measured, fitted and
wrapped by the rules of Chinese line breaking (no line starts with a closing mark)."""

from __future__ import annotations

import functools
import re
import unicodedata

from site_builder.core.xmltext import escape, quoteattr

INK = "#1f2328"  # text
_NAMES: dict[str, str] = {}  # keyword → attribute name
FONT_STACK = ('-apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", '
              '"Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
              '"WenQuanYi Micro Hei", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif')


# Characters that may not start a line, and those that may not end one (Chinese rules).
_NO_START = set("，。、；：？！）》」』】〕〉”’…%‰·,.;:?!)]}")


_NO_END = set("（《「『【〔〈“‘([{")


_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-_/&+']*|\s+|.", re.S)


ELLIPSIS = "…"


@functools.cache  # a few thousand distinct characters
def _char_em(ch: str) -> float:
    """A generous estimate of a character's advance in em (no font metrics at build time)."""
    if unicodedata.east_asian_width(ch) in ("W", "F", "A"):
        return 1.0
    if ch == " ":
        return 0.33
    if ch.isupper() or ch in "mwMW@%&":
        return 0.78
    if ch in "iljtfrI.,:;'|!()[]{}":
        return 0.4
    return 0.6


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of `text` at font size `size` (user units); errs on the wide side."""
    return _em_width(text, bold) * size


@functools.lru_cache(maxsize=1 << 16)  # labels are measured again and again while wrapping
def _em_width(text: str, bold: bool) -> float:
    width = 0.0
    for ch in text:
        em = _char_em(ch)
        width += em * (1.06 if bold and em < 1 else 1.0)
    return width


def fit_text(text: str, max_width: float, size: float, bold: bool = False) -> str:
    """`text`, or as much of it as fits followed by '…'."""
    if text_width(text, size, bold) <= max_width:
        return text
    out = text
    while out and text_width(out.rstrip() + ELLIPSIS, size, bold) > max_width:
        out = out[:-1]
    return out.rstrip() + ELLIPSIS if out else ELLIPSIS


def wrap_text(text: str, max_width: float, size: float, max_lines: int = 0,
              bold: bool = False, balance: bool = False) -> list[str]:
    """See _wrap_text; each diagram wraps every label twice and alliances share members."""
    return list(_wrap_text(text, max_width, size, max_lines, bold, balance))


@functools.lru_cache(maxsize=1 << 14)
def _wrap_text(text: str, max_width: float, size: float, max_lines: int = 0,
               bold: bool = False, balance: bool = False) -> tuple[str, ...]:
    """Break `text` into lines no wider than `max_width`.

    Chinese may break between any two characters, but not before closing punctuation nor
    after opening punctuation; Latin words and numbers stay whole unless longer than a line.
    With `max_lines`, the last line kept ends with '…'. With `balance`, lines are made about
    equally long (no lone character on the last line) without adding a line.
    """
    lines = _wrap(text, max_width, size, bold)
    if balance and len(lines) > 1 and (not max_lines or len(lines) <= max_lines):
        low, high = max_width / len(lines), max_width
        for _ in range(12):  # the narrowest width that still needs no more lines
            mid = (low + high) / 2
            if len(_wrap(text, mid, size, bold)) <= len(lines):
                high = mid
            else:
                low = mid
        lines = _wrap(text, high, size, bold)
    if max_lines and len(lines) > max_lines:
        rest = lines[max_lines - 1]
        for more in lines[max_lines:]:
            rest += " " + more if rest[-1:].isascii() and more[:1].isascii() else more
        lines = [*lines[:max_lines - 1], fit_text(rest, max_width, size, bold)]
    return tuple(lines)


def _wrap(text: str, max_width: float, size: float, bold: bool) -> list[str]:
    tokens: list[str] = []
    for tok in _TOKEN.findall(" ".join(text.split())):
        if len(tok) > 1 and text_width(tok, size, bold) > max_width:
            tokens.extend(tok)  # a word longer than the line: break it anywhere
        else:
            tokens.append(tok)
    lines: list[list[str]] = [[]]
    for tok in tokens:
        line = lines[-1]
        if not line and tok.isspace():
            continue
        if line and text_width("".join(line) + tok.rstrip(), size, bold) > max_width:
            carry: list[str] = []
            while (carry or [tok])[0][0] in _NO_START and len(line) > 1:
                carry.insert(0, line.pop())  # take the previous character along
            while len(line) > 1 and line[-1][-1] in _NO_END:
                carry.insert(0, line.pop())
            while line and line[-1].isspace():
                line.pop()
            lines.append(carry)
            if tok.isspace():
                continue
        lines[-1].append(tok)
    return ["".join(line).strip() for line in lines if "".join(line).strip()]


def num(value: float) -> str:
    """Coordinates in the output: at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_SPECIAL = re.compile(r"[&<>\"'\n\r\t]")


def attrs(**values: object) -> str:
    """XML attributes in the given order; `class_` → class, `aria_x` → aria-x, None skipped."""
    out = []
    for key, value in values.items():
        if value is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = key.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else str(value)
        # Most values are numbers and colours: nothing for quoteattr to do (it is slow).
        out.append(f' {name}="{text}"' if _SPECIAL.search(text) is None
                   else f" {name}={quoteattr(text)}")
    return "".join(out)


def el(tag: str, content: str | None = None, **values: object) -> str:
    """One element: <tag a="…"/> or, with `content` (already markup), <tag …>content</tag>."""
    if content is None:
        return f"<{tag}{attrs(**values)}/>"
    return f"<{tag}{attrs(**values)}>{content}</{tag}>"


def text_el(x: float, y: float, text: str, size: float, fill: str = INK, *,
            bold: bool = False, anchor: str | None = None, title: str | None = None) -> str:
    """One <text> line; `y` is the baseline."""
    inner = f"<title>{escape(title)}</title>" if title else ""
    return el("text", inner + escape(text), x=float(x), y=float(y), font_size=float(size),
              fill=fill, font_weight="700" if bold else None, text_anchor=anchor)


def baseline(center: float, size: float) -> float:
    """The baseline that centres a line of CJK text of `size` on `center`."""
    return center + size * 0.36
