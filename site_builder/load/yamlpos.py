"""YAML with positions: the safe loader (no tags, no code), every key's and value's line and
column kept, duplicate keys and tags refused, the parser's English turned into Chinese,
aliases and nesting bounded."""

from __future__ import annotations

import re
from typing import Any, ClassVar

import yaml

from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.load.yamllimits import (
    MAX_DEPTH,
    AliasGuard,
    TooComplex,
    check_depth,
    depth_problem,
    report_too_complex,
)

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


# PyYAML's problems are English; editors read Chinese. Unknown problems pass through.
_PROBLEMS_ZH = {
    "mapping values are not allowed here": "这里不能出现“: ”（冒号加空格）。如果它是文字的一部分，请给整段文字加引号",
    "mapping values are not allowed in this context": "这里不能出现“: ”（冒号加空格）。如果它是文字的一部分，请给整段文字加引号",
    "found character that cannot start any token": "这个字符不能出现在开头，请给这段文字加上引号",
    "could not find expected ':'": "缺少冒号“:”，或上一行的引号没有闭合",
    "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "found unexpected end of stream": "文件在引号或括号闭合之前就结束了",
    "did not find expected key": "缩进不对齐，或列表项前缺少“- ”",
    "found undefined alias": "用了未定义的别名（*）",
    "did not find expected whitespace or line break": "以 ! 开头的文字需要整体加上引号",
    "found undefined tag handle": "以 ! 开头的文字需要整体加上引号",
    "expected <block end>, but found '-'": "列表项“- ”的缩进与上面的键不对齐",
    "expected <block end>, but found '<block sequence start>'": "列表项“- ”的缩进不对齐",
    "expected <block end>, but found '<block mapping start>'": "这一行的缩进与同级的键不一致",
    "expected <block end>, but found '<scalar>'": "这一行的缩进与同级的键不一致",
    "found unexpected ':'": "出现了多余的冒号；含冒号的文字请加引号",
    "found character '@' that cannot start any token": "以 @ 开头的文字需要加引号",
    "found character '`' that cannot start any token": "以 ` 开头的文字需要加引号",
    "found character '%' that cannot start any token": "以 % 开头的文字需要加引号",
    "did not find expected ',' or ']'": "方括号 [ ] 里的列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或缺少逗号",
    "did not find expected node content": "这里缺少值",
    "found a tab character where an indentation space is expected": "不能用 Tab 键缩进，请改用空格",
    "but found another document": "文件中出现了第二个“---”分隔的文档；YAML 文件里不要写 ---",
    "expected a single document in the stream": "文件中出现了第二个“---”分隔的文档；YAML 文件里不要写 ---",
    "found a tab character that violates indentation": "不能用 Tab 键缩进，请改用空格",
}


def parse_yaml(
    text: str, rel: str, report: Report, line_offset: int = 0
) -> tuple[Any, Positions] | None:
    """Compose YAML safely into plain data plus the position of every key and value."""
    from site_builder.core.diagnostics import L

    too_deep = depth_problem(text)  # before composing, which recurses in C
    if too_deep is not None:
        report_too_complex(too_deep, rel, report, line_offset, {})
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip()
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "found a tab character where an indentation space is expected"
        report.emit(
            "yaml-syntax",
            rel,
            (mark.line + 1 + line_offset) if mark else None,
            (mark.column + 1) if mark else None,
            problem=L(_PROBLEMS_ZH.get(problem, problem), problem),
        )
        return None
    except yaml.reader.ReaderError as exc:  # a control character, pasted from elsewhere
        before = text[: exc.position]
        line = before.count("\n") + 1 + line_offset
        col = len(before) - (before.rfind("\n") + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        report.emit("yaml-syntax", rel, line, col, problem=L(
            f"这里有一个看不见的控制字符（{char}），多半是从别处复制时带进来的，请删掉它",
            f"an invisible control character ({char}), probably pasted from elsewhere; "
            "delete it"))
        return None
    except yaml.YAMLError as exc:
        report.emit("yaml-syntax", rel, 1 + line_offset, 1, problem=L(str(exc), str(exc)))
        return None
    if node is None:
        return {}, Positions()
    # Only a text with a '*' can hold an alias.
    builder = _Builder(rel, report, line_offset, text.split("\n"),
                       AliasGuard() if "*" in text else None)
    try:
        data = builder.build(node, ())
    except TooComplex as exc:
        report_too_complex(exc, rel, report, line_offset, builder.keys)
        return None
    if builder.failed:
        return None
    return data, Positions(builder.keys, builder.values, builder.raw)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


class _Builder:
    """Turn a composed YAML node tree into Python values, recording positions."""

    def __init__(self, rel: str, report: Report, line_offset: int, lines: list[str],
                 aliases: AliasGuard | None = None) -> None:
        self.aliases = aliases
        self.lines = lines
        self.rel = rel
        self.report = report
        self.offset = line_offset
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.raw: dict[KeyPath, str] = {}
        self.failed = False
        self.constructor = yaml.constructor.SafeConstructor()

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        mark = node.start_mark
        line, col = mark.line + 1 + self.offset, mark.column + 1
        scalar = type(node) is yaml.ScalarNode
        if scalar and node.style in ("|", ">"):
            # A block scalar's text starts on the line after the | or >, indented.
            index = mark.line + 1
            if index < len(self.lines):
                text = self.lines[index]
                line, col = line + 1, len(text) - len(text.lstrip()) + 1
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
                mark = key_node.start_mark
                self.keys[child] = (mark.line + 1 + self.offset, mark.column + 1)
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
