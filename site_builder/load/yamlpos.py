"""YAML with positions: the safe loader (no tags, no code), every key's and value's line and
column kept, duplicate keys and tags refused, the parser's English turned into Chinese,
aliases and nesting bounded."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.load.rawlines import Scan, comment_after, find_indent_slips, scan_lines
from site_builder.load.yamllimits import (
    MAX_DEPTH,
    AliasGuard,
    TooComplex,
    check_depth,
    depth_problem,
    report_too_complex,
)
from site_builder.load.yamlwords import translate_problem

try:  # The C loader composes several times faster; positions are kept either way.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, resolving tags from a table made once.

    The composer asks `resolve` for every key and value (700,000 calls at N=300, a fifth
    of the parse); PyYAML's own builds a list per call. Same rules: the implicit
    resolvers of the scalar's first character, in order; no path resolvers."""

    _by_first: ClassVar[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._by_first.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR_TAG
        return (self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode
                else self.DEFAULT_MAPPING_TAG)


# Built from the loader's own table, so a resolver PyYAML adds is not missed.
_Loader._by_first = {
    first: tuple(_Base.yaml_implicit_resolvers.get(first, [])
                 + _Base.yaml_implicit_resolvers.get(None, []))
    for first in _Base.yaml_implicit_resolvers if first is not None}
assert not _Base.yaml_path_resolvers and _Base.DEFAULT_SCALAR_TAG == _STR_TAG


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}


def parse_yaml(
    text: str, rel: str, report: Report, line_offset: int = 0
) -> tuple[Any, Positions] | None:
    """Compose YAML safely into plain data plus the position of every key and value.

    The raw lines are looked at first (rawlines.py): a slip is named where it was typed and,
    where what was meant is certain, repaired so the rest of the file is still checked."""
    too_deep = depth_problem(text)  # before composing, which recurses in C
    if too_deep is not None:
        report_too_complex(too_deep, rel, report, line_offset, {})
        return None
    scan = scan_lines(text)
    node = _compose(scan.text)
    if isinstance(node, yaml.YAMLError) and find_indent_slips(scan):
        node = _compose(scan.text)  # once more, with the indentation repaired
    for slip in scan.slips:
        report.emit(slip.code, rel, slip.line + 1 + line_offset, slip.col, slip.key,
                    **slip.args)
    if isinstance(node, yaml.YAMLError):
        if not _cascade(node, scan):
            _report_parse_error(node, scan, rel, report, line_offset)
        return None
    if node is None:
        # An empty file: its problems (the keys it lacks) are reported at its first line.
        return {}, Positions(values={(): (1 + line_offset, 1)})
    # Only a text with a '*' can hold an alias.
    builder = _Builder(rel, report, line_offset, scan,
                       AliasGuard() if "*" in scan.text else None)
    try:
        data = builder.build(node, ())
    except TooComplex as exc:
        report_too_complex(exc, rel, report, line_offset, builder.keys)
        return None
    if builder.failed:
        return None
    return data, Positions(builder.keys, builder.values, builder.raw)


def _cascade(exc: yaml.YAMLError, scan: Scan) -> bool:
    """Whether the parser's complaint only repeats a slip named above: it is on that slip's
    line, or on the next one after a slip that could not be repaired. A complaint anywhere
    else is a problem of its own, reported too (every problem at once)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if mark is None:
        return scan.has_errors
    return any(s.is_error and (mark.line == s.line or (
        mark.line == s.line + 1 and s.line not in scan.maps)) for s in scan.slips)


def _compose(text: str) -> Any:
    """The node tree of `text`, or the parser's complaint."""
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        return exc


def _report_parse_error(exc: yaml.YAMLError, scan: Scan, rel: str, report: Report,
                        line_offset: int) -> None:
    from site_builder.core.diagnostics import L

    text = scan.text
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip()
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "found a tab character where an indentation space is expected"
        if mark is not None and mark.column and "alphabetic or numeric" in problem and (
                _char_at(text, mark.line, mark.column - 1) in ("*", "&")):
            mark = yaml.Mark(mark.name, mark.index - 1, mark.line, mark.column - 1, None, None)
        report.emit(
            "yaml-syntax",
            rel,
            (mark.line + 1 + line_offset) if mark else None,
            scan.col(mark.line, mark.column + 1) if mark else None,
            problem=L(translate_problem(problem), problem),
        )
    elif isinstance(exc, yaml.reader.ReaderError):  # a control character, pasted from elsewhere
        before = text[: exc.position]
        line = before.count("\n") + 1 + line_offset
        col = len(before) - (before.rfind("\n") + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        report.emit("yaml-syntax", rel, line, col, problem=L(
            f"这里有一个看不见的控制字符（{char}），多半是从别处复制时带进来的，请删掉它",
            f"an invisible control character ({char}), probably pasted from elsewhere; "
            "delete it"))
    else:
        report.emit("yaml-syntax", rel, 1 + line_offset, 1,
                    problem=L(translate_problem(str(exc)), str(exc)))


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


class _Builder:
    """Turn a composed YAML node tree into Python values, recording positions."""

    def __init__(self, rel: str, report: Report, line_offset: int, scan: Scan,
                 aliases: AliasGuard | None = None) -> None:
        self.aliases = aliases
        self.scan = scan
        self.lines = scan.text.split("\n")
        self.mapped = bool(scan.maps)  # columns of repaired lines are mapped back
        # Only a text with a " #" can have a value cut short by a comment.
        self.hashes = " #" in scan.text or "\t#" in scan.text
        self.rel = rel
        self.report = report
        self.offset = line_offset
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.raw: dict[KeyPath, str] = {}
        self.failed = False
        self.constructor = yaml.constructor.SafeConstructor()

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        mark = node.start_mark
        col = self.scan.col(mark.line, mark.column + 1) if self.mapped else mark.column + 1
        return (mark.line + 1 + self.offset, col)

    def check_comment(self, node: yaml.ScalarNode, path: KeyPath) -> None:
        """A plain value followed by " #": the rest of the line was taken for a comment."""
        end = node.end_mark
        if end.line >= len(self.lines):
            return  # (a line break YAML counts that the lines do not: never, after rawlines)
        cut = comment_after(self.lines[end.line], end.column)
        if cut is None:
            return
        col, comment = cut
        code = "comment-after-value" if comment[:1] in (" ", "\t", "") else "hash-cuts-text"
        if not node.value:  # `phone: #8026`: the whole value went; `key:   # 备注` is a note
            if code == "comment-after-value":
                return
            code = "hash-starts-value"
        col = self.scan.col(end.line, col) if self.mapped else col
        # How the fixed line starts: "summary:" or, for an item of a list, "-".
        name = f"{path[-1]}:" if path and isinstance(path[-1], str) else "-"
        self.report.emit(code, self.rel, end.line + 1 + self.offset, col, format_key(path),
                         kept=node.value, cut=comment.strip(), name=name)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        mark = node.start_mark
        line, col = mark.line + 1 + self.offset, mark.column + 1
        if self.mapped:
            col = self.scan.col(mark.line, col)
        scalar = type(node) is yaml.ScalarNode
        if scalar and self.hashes and not node.style:
            self.check_comment(node, path)
        if scalar and node.style in ("|", ">"):
            # A block scalar's text starts on the line after the | or >, indented.
            index = mark.line + 1
            if index < len(self.lines):
                text = self.lines[index]
                line, col = line + 1, len(text) - len(text.lstrip()) + 1
                if self.mapped:
                    col = self.scan.col(index, col)
        self.values[path] = (line, col)
        if scalar and node.tag == _STR_TAG:  # most values: the text is the value
            return node.value
        if not scalar and (self.aliases is not None or len(path) >= MAX_DEPTH):
            check_depth(path, mark)  # yamllimits: raises TooComplex
            if self.aliases is not None:
                self.aliases.admit(node, path)
        if node.tag not in _ALLOWED_TAGS:
            line, col = self.pos(node)
            self.report.emit("yaml-tag", self.rel, line, col, format_key(path), tag=node.tag)
            self.failed = True
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    line, col = self.pos(key_node)
                    self.report.emit("not-mapping", self.rel, line, col, format_key(path),
                                     got="?")
                    self.failed = True
                    continue
                key = str(key_node.value)
                child = (*path, key)
                if key in out:
                    line, col = self.pos(key_node)
                    self.report.emit("duplicate-key", self.rel, line, col, format_key(child),
                                     name=key, first_line=self.keys[child][0])
                    self.failed = True
                    continue
                self.keys[child] = self.pos(key_node)
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            value = self.constructor.construct_object(node, deep=True)
            if not isinstance(value, str) and not node.style and value is not None:
                self.raw[path] = str(node.value)
            return value
        except (yaml.YAMLError, ValueError, OverflowError):
            # e.g. a timestamp-looking scalar that is not a real date (2023-02-30):
            # keep the text and let the schema say what is wrong with it.
            return str(node.value)
