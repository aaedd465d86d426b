"""The HTML that Python-Markdown (and then the sanitizer) makes of the simple Markdown most
stories are written in, made without running it.

Python-Markdown takes about 0.7 ms for a story body, a fifth of a render worker's time at
N=300. CommonMark engines in C or Rust are 20× faster but bold Chinese differently
(`推行**“三张清单”**制度` keeps its asterisks), so they would change what editors see.

This shortcut covers paragraphs, `#` headings (with the ids the toc extension gives),
`-` and `1.` lists, pipe tables and `**bold**`, in text without any other Markdown or HTML
syntax character. For anything else it returns None and Python-Markdown renders the text.
Its output needs no sanitizing: every character of the text is one that HTML shows as it
is, and the only tags are the ones it writes. tests/unit/test_markdown_subset.py checks it
against Python-Markdown plus the sanitizer on generated and hand-written texts.
"""

from __future__ import annotations

import re

from markdown.extensions.toc import slugify_unicode, unique

# Characters of text that no Markdown inline pattern and no HTML escaping touches: Chinese
# and its punctuation, letters, digits, space and a few marks. `*` is allowed only in `**`.
_TEXT = ("A-Za-z0-9 ,.;:?%'\"/()+\\-\u00b7\u2010-\u2027\u2030-\u205e\u3001-\u9fff"
         "\uf900-\ufaff\uff01-\uffef")
_DOCUMENT = re.compile(f"[{_TEXT}*#|\n]*")
_INLINE = re.compile(f"[{_TEXT}*]*")
# A line that would start something other than a paragraph line.
_BLOCK_START = re.compile(r"[-+*#>|=\s]|\d+[.)]")
_HEADING = re.compile(r"(#{1,6}) (.+)")
_ORDERED = re.compile(r"(\d+)\. (.+)")
_SEPARATOR = re.compile(r" *:?-+:? *")
_ALIGN = {(True, False): "left", (True, True): "center", (False, True): "right"}


class _Unsupported(Exception):
    """The text uses something this shortcut does not do: Python-Markdown renders it."""


def _inline(text: str) -> str:
    """`text` with `**bold**` as <strong>; nothing else of Markdown may be in it."""
    if not _INLINE.fullmatch(text):
        raise _Unsupported
    if "*" not in text:
        return text
    parts = text.split("**")
    if len(parts) % 2 == 0 or any("*" in part for part in parts):
        raise _Unsupported
    out = []
    for n, part in enumerate(parts):
        if n % 2:
            # Bold text that starts or ends with a space (or is empty) follows other rules.
            if not part or part != part.strip():
                raise _Unsupported
            out.append(f"<strong>{part}</strong>")
        else:
            out.append(part)
    return "".join(out)


def _starts_block(line: str) -> bool:
    """Whether `line` would start something other than a paragraph (`**bold` would not)."""
    return bool(_BLOCK_START.match(line)) and not (
        line.startswith("**") and line[2:3] not in ("", " ", "*"))


def _item_text(text: str) -> str:
    # An item's text is parsed as blocks: it must not start a list, heading or quote.
    if _starts_block(text) or text != text.strip():
        raise _Unsupported
    return _inline(text)


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line[1:-1].split("|")]


def _table(lines: list[str]) -> str:
    if len(lines) < 3:
        raise _Unsupported
    head, rule = _cells(lines[0]), _cells(lines[1])
    if len(head) != len(rule) or not all(
            _SEPARATOR.fullmatch(c) for c in rule):
        raise _Unsupported
    styles = []
    for cell in rule:
        align = _ALIGN.get((cell.startswith(":"), cell.endswith(":")))
        styles.append(f' style="text-align:{align}"' if align else "")
    out = ['<table class="table">', "<thead>", "<tr>"]
    out += [f"<th{style}>{_inline(cell)}</th>" for cell, style in zip(head, styles, strict=True)]
    out += ["</tr>", "</thead>", "<tbody>"]
    for line in lines[2:]:
        # Short rows get empty cells, long ones lose the extra cells, as in Python-Markdown.
        row = (_cells(line) + [""] * len(head))[:len(head)]
        out.append("<tr>")
        out += [f"<td{style}>{_inline(cell)}</td>" for cell, style in zip(row, styles,
                                                                            strict=True)]
        out.append("</tr>")
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def _list(lines: list[str]) -> str:
    if lines[0].startswith("- "):
        if not all(line.startswith("- ") for line in lines):
            raise _Unsupported
        items = [line[2:] for line in lines]
        tag = "ul"
    else:
        matches = [_ORDERED.fullmatch(line) for line in lines]
        # A list starting at another number gets start="n": left to Python-Markdown.
        if not all(matches) or matches[0].group(1) != "1":  # type: ignore[union-attr]
            raise _Unsupported
        items = [m.group(2) for m in matches]  # type: ignore[union-attr]
        tag = "ol"
    rows = "\n".join(f"<li>{_item_text(item)}</li>" for item in items)
    return f"<{tag}>\n{rows}\n</{tag}>"


def _paragraph(lines: list[str]) -> str:
    for line in lines:
        # Trailing spaces make a line break; a leading mark or digit-dot, another block.
        if line != line.strip() or _starts_block(line):
            raise _Unsupported
    return "<p>" + "\n".join(_inline(line) for line in lines) + "</p>"


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Blocks as Python-Markdown sees them here: runs of lines between blank lines, with a
    heading line always a block of its own."""
    blocks: list[tuple[str, list[str]]] = []
    run: list[str] = []
    previous = ""  # the line before
    for line in text.split("\n"):
        # Spaces around a line make line breaks, code blocks or list continuations.
        if line != line.strip(" "):
            raise _Unsupported
        # A heading next to a table row: which one wins is left to Python-Markdown.
        if (line.startswith("#") and previous.startswith("|")) or (
                line.startswith("|") and previous.startswith("#")):
            raise _Unsupported
        if line.startswith("#"):
            if run:
                blocks.append(("lines", run))
            blocks.append(("heading", [line]))
            run = []
        elif not line:
            if run:
                blocks.append(("lines", run))
            run = []
        else:
            run.append(line)
        previous = line
    if run:
        blocks.append(("lines", run))
    return blocks


def subset_html(text: str) -> str | None:
    """Python-Markdown's sanitized HTML for `text`, or None when `text` uses more Markdown
    than this shortcut knows (or any character that could mean HTML)."""
    if not _DOCUMENT.fullmatch(text):
        return None
    try:
        out: list[str] = []
        ids: set[str] = set()
        after_list = False
        for kind, lines in _blocks(text.strip("\n")):
            first = lines[0]
            if kind == "heading":
                m = _HEADING.fullmatch(first)
                if not m or "#" in m.group(2) or "*" in m.group(2) or (
                        m.group(2) != m.group(2).strip()):
                    raise _Unsupported
                title = _inline(m.group(2))
                out.append(f'<h{len(m.group(1))} id="{unique(slugify_unicode(title, "-"), ids)}">'
                           f"{title}</h{len(m.group(1))}>")
                after_list = False
            elif first.startswith("|"):
                if not all(line.startswith("|") and line.endswith("|") and len(line) > 1
                           for line in lines):
                    raise _Unsupported
                out.append(_table(lines))
                after_list = False
            elif first.startswith("- ") or _ORDERED.fullmatch(first):
                # Two lists apart only by a blank line make one loose list: not done here.
                if after_list:
                    raise _Unsupported
                out.append(_list(lines))
                after_list = True
            else:
                out.append(_paragraph(lines))
                after_list = False
    except _Unsupported:
        return None
    return "\n".join(out)
