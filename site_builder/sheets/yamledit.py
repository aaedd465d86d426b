"""Edit an editor's YAML file in place: only the bytes of the values that change are
rewritten; every comment, the key order, the quoting and untouched values stay as they were.

PyYAML's composer gives every node its start and end offset in the text; a changed scalar is
replaced inside that span, a new key is inserted as a line after its mapping's last entry,
and a new list item after the list's last item. ruamel.yaml's round trip was not used: it
re-indents sequences and re-spaces flow collections, which rewrites lines nobody changed."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

import yaml

from site_builder.core.positions import KeyPath


class Plain(str):
    """Text written without quotes even though YAML reads it as something else (a date)."""

    __slots__ = ()


_PLAIN_SAFE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#,\[\]{}\n]*$")


def render_scalar(value: Any) -> str:
    """A value as YAML text: plain when YAML reads it back as the same text, else quoted."""
    if isinstance(value, Plain):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _PLAIN_SAFE.match(text) and not text.endswith(" "):
        try:
            if yaml.safe_load(text) == text:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _render_like(node: yaml.ScalarNode, value: Any) -> str:
    """A new value in the old one's quotes, when it was quoted and is text."""
    if isinstance(value, str) and not isinstance(value, Plain):
        if node.style == '"':
            return json.dumps(value, ensure_ascii=False)
        if node.style == "'" and "\n" not in value:
            return "'" + value.replace("'", "''") + "'"
    return render_scalar(value)


def _render_block_text(text: str, node: yaml.ScalarNode, value: Any) -> str:
    """A block scalar's new text: `|` and the lines at the old text's indent."""
    body_start = text.find("\n", node.start_mark.index) + 1
    line = text[body_start:text.find("\n", body_start) if "\n" in text[body_start:] else None]
    indent = len(line) - len(line.lstrip(" ")) or node.start_mark.column + 2
    lines = str(value).strip("\n").split("\n")
    return "|\n" + "".join((" " * indent + x).rstrip() + "\n" for x in lines)


def block_text(key: str, value: str, indent: int) -> list[str]:
    """`key: |` and the text's lines: Markdown read as written."""
    pad = " " * (indent + 2)
    return [f"{' ' * indent}{key}: |"] + [(pad + x).rstrip() for x in value.strip("\n").split("\n")]


def render_flow(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_flow(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {render_flow(v)}" for k, v in value.items()) + "}"
    return render_scalar(value)


def render_block(key: str, value: Any, indent: int) -> list[str]:
    """`key: value` as block lines at `indent`: mappings nested, lists of text in flow style."""
    pad = " " * indent
    if isinstance(value, Mapping):
        lines = [f"{pad}{key}:"]
        for k, v in value.items():
            lines += render_block(k, v, indent + 2)
        return lines
    if isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
        lines = [f"{pad}{key}:"]
        for item in value:
            lines += render_item(item, indent + 2)
        return lines
    if isinstance(value, str) and "\n" in value.strip("\n"):
        return block_text(key, value, indent)
    return [f"{pad}{key}: {render_flow(value)}"]


def render_item(item: Mapping[str, Any], indent: int) -> list[str]:
    """A mapping as a block list item: `- a: 1` then `  b: 2`."""
    lines: list[str] = []
    for k, v in item.items():
        block = render_block(k, v, indent + 2)
        if not lines:
            block[0] = " " * indent + "- " + block[0].lstrip()
        lines += block
    return lines


def nodes_of(text: str) -> dict[KeyPath, yaml.Node]:
    """Every node of the text's YAML by its key path (empty for an empty text)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    out: dict[KeyPath, yaml.Node] = {}
    if root is not None:
        _index(root, (), out)
    return out


def _index(node: yaml.Node, path: KeyPath, out: dict[KeyPath, yaml.Node]) -> None:
    out[path] = node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            _index(v, (*path, str(k.value)), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            _index(v, (*path, i), out)


def content_end(node: yaml.Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies past the blank lines
    and comments after it, which belong to what follows."""
    while isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style \
            and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark.index


def _line_end(text: str, index: int) -> int:
    """Where the line holding `index` ends, its newline included (a comment stays on it)."""
    if index > 0 and text[index - 1] == "\n":
        return index  # a block scalar's span already ends with its newline
    nl = text.find("\n", index)
    return len(text) if nl < 0 else nl + 1


def _splice_for(text: str, nodes: dict[KeyPath, yaml.Node], path: KeyPath, value: Any
                ) -> tuple[int, int, str]:
    """(start, end, replacement) that makes `path` hold `value`."""
    node = nodes.get(path)
    if node is not None:
        start, end = node.start_mark.index, node.end_mark.index
        if isinstance(node, yaml.ScalarNode):
            if node.style in ("|", ">"):  # Markdown text stays a block, at its indent
                return start, end, _render_block_text(text, node, value)
            return start, end, _render_like(node, value)
        if isinstance(node, yaml.SequenceNode) and not node.flow_style:
            end = content_end(node.value[-1]) if node.value else end  # not the next key
            pad = "\n" + " " * node.start_mark.column
            lines = [render_flow(v) for v in value]
            return start, end, pad.join("- " + x for x in lines) if lines else "[]"
        return start, end, render_flow(value)
    parent = nodes.get(path[:-1])
    if parent is None:  # the parent is missing too: make it, with this inside
        key = path[-1]
        return _splice_for(text, nodes, path[:-1], {key: value} if isinstance(key, str)
                           else [value])
    return _insert(text, parent, path[-1], value)


def _insert(text: str, parent: yaml.Node, key: str | int, value: Any) -> tuple[int, int, str]:
    whole = [value] if isinstance(key, int) else {key: value}
    if isinstance(parent, yaml.ScalarNode):  # `extra:` left empty: give it the new value
        start = parent.start_mark.index
        lead = " " if start and text[start - 1] == ":" else ""
        return start, parent.end_mark.index, lead + render_flow(whole)
    if parent.flow_style or not parent.value:
        close = text.rfind("]" if isinstance(parent, yaml.SequenceNode) else "}", 0,
                           parent.end_mark.index)
        sep = ", " if parent.value else ""
        if close < parent.start_mark.index:  # an empty value (`key:`): write it whole
            return parent.start_mark.index, parent.end_mark.index, render_flow(whole)
        part = render_flow(value) if isinstance(key, int) else f"{key}: {render_flow(value)}"
        return close, close, sep + part
    last = parent.value[-1]
    last_node = last[1] if isinstance(parent, yaml.MappingNode) else last
    at = _line_end(text, content_end(last_node))
    lead = "" if at == 0 or text[at - 1] == "\n" else "\n"
    if isinstance(parent, yaml.MappingNode):
        indent = parent.value[0][0].start_mark.column
        lines = render_block(str(key), value, indent)
    else:
        indent = parent.value[0].start_mark.column - 2
        lines = (render_item(value, indent) if isinstance(value, Mapping)
                 else [" " * indent + "- " + render_flow(value)])
    return at, at, lead + "\n".join(lines) + "\n"


def apply_edits(text: str, edits: list[tuple[KeyPath, Any]]) -> str:
    """Set each path to its value, touching only those bytes. Edits apply one at a time
    (each on the text the previous one left), so new keys land in their edit order."""
    for path, value in edits:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            text = text + ("" if not text or text.endswith("\n") else "\n")
            text += "\n".join(render_block(str(path[0]), _nest(path[1:], value), 0)) + "\n"
            continue
        nodes: dict[KeyPath, yaml.Node] = {}
        _index(root, (), nodes)
        start, end, new = _splice_for(text, nodes, path, value)
        text = text[:start] + new + text[end:]
    return text


def _nest(rest: KeyPath, value: Any) -> Any:
    for key in reversed(rest):
        value = {key: value} if isinstance(key, str) else [value]
    return value
