"""Apply a form's changes to the YAML text, touching only the bytes of what changed.

Setting a value and adding a key are sheets.yamledit's splices. Here: dropping a key (its
line goes, the lines around it stay), multi-line text (written as a `|` block), and lists
whose items were reordered, removed or added (each kept item keeps its own lines, comments
included). Every step composes the text afresh, so positions are always current."""

from __future__ import annotations

from typing import Any

import yaml

from site_builder.core.positions import KeyPath
from site_builder.sheets.yamledit import (
    apply_edits,
    content_end,
    nodes_of,
    render_flow,
    render_item,
)
from site_builder.workbench.changes import Changes, writable


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, newline included (a comment stays with it)."""
    if index > 0 and text[index - 1] == "\n":
        return index
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def apply_changes(text: str, changes: Changes) -> str:
    """The text with every change made: lists first, then dropped keys, then values."""
    for path, order, fresh in changes.relists:
        text = relist(text, path, order, fresh)
    for path in changes.deletes:
        text = delete_key(text, path)
    for path, value in changes.sets:
        text = set_value(text, path, value)
    return text


def set_value(text: str, path: KeyPath, value: Any) -> str:
    """`path` holds `value`; multi-line text becomes a `|` block at the key's indent (inside
    `{…}` it stays quoted: a block cannot stand there)."""
    nodes = nodes_of(text) if text.strip() else {}
    node, parent = nodes.get(path), nodes.get(path[:-1])
    in_flow = isinstance(parent, yaml.CollectionNode) and bool(parent.flow_style)
    if (isinstance(value, str) and "\n" in value and isinstance(node, yaml.ScalarNode)
            and node.style not in ("|", ">") and not in_flow):
        start = node.start_mark.index
        key_col = _key_column(text, start)
        pad = " " * (key_col + 2)
        lead = " " if start and text[start - 1] == ":" else ""  # `summary:` left empty
        block = lead + "|\n" + "".join((pad + line).rstrip() + "\n"
                                        for line in value.split("\n"))
        return text[:start] + block + text[_line_end(text, node.end_mark.index):]
    return apply_edits(text, [(path, value)])


def _key_column(text: str, value_start: int) -> int:
    """The column of the key whose value starts at `value_start` (`- ` items count)."""
    line = text[_line_start(text, value_start):value_start]
    stripped = line.lstrip(" ")
    column = len(line) - len(stripped)
    while stripped.startswith("- "):
        column += 2
        stripped = stripped[2:]
    return column


def delete_key(text: str, path: KeyPath) -> str:
    """Drop the key at `path` with its value's lines; the rest stays byte for byte."""
    nodes = nodes_of(text)
    parent = nodes.get(path[:-1])
    if not isinstance(parent, yaml.MappingNode):
        return text
    pairs = parent.value
    at = next((i for i, (k, _) in enumerate(pairs) if str(k.value) == path[-1]), None)
    if at is None:
        return text
    key, value = pairs[at]
    if parent.flow_style:  # `{segment: 上游, name: x}`: written again without the key
        data = yaml.safe_load(text[parent.start_mark.index:parent.end_mark.index])
        data.pop(path[-1], None)
        return (text[:parent.start_mark.index] + render_flow(writable(data))
                + text[parent.end_mark.index:])
    start = _line_start(text, key.start_mark.index)
    end = _line_end(text, content_end(value))
    if text[start:key.start_mark.index].strip():  # `- key: v`, the first key of an item
        if at + 1 < len(pairs):  # the next key moves up behind the dash
            return text[:key.start_mark.index] + text[pairs[at + 1][0].start_mark.index:]
        return text[:key.start_mark.index] + "{}\n" + text[end:]
    return text[:start] + text[end:]


def relist(text: str, path: KeyPath, order: list[int | None], fresh: list[Any]) -> str:
    """The list at `path` in its new order: item `i` is the file's item `order[i]`, or the
    new value `fresh[i]` where that is None. Kept items move with their own lines."""
    node = nodes_of(text).get(path)
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or not node.value:
        return apply_edits(text, [(path, fresh)])
    items = node.value
    # Item i is its own lines and the comment lines right above it (after item i-1's own
    # text); comments above the first item and after the last stay where they are.
    ends = [_line_end(text, content_end(item)) for item in items]
    starts = [_line_start(text, items[0].start_mark.index), *ends[:-1]]
    end = ends[-1]
    chunks = [text[s:e] for s, e in zip(starts, ends, strict=True)]
    chunks = [c if c.endswith("\n") else c + "\n" for c in chunks]
    first = text[starts[0]:items[0].start_mark.index]
    dash = first.index("-") if "-" in first else node.start_mark.column
    out = []
    for orig, value in zip(order, fresh, strict=True):
        if orig is not None:
            out.append(chunks[orig])
        elif isinstance(value, dict):
            out.append("\n".join(render_item(value, dash)) + "\n")
        else:
            out.append(" " * dash + "- " + render_flow(value) + "\n")
    return text[:starts[0]] + "".join(out) + text[end:]
