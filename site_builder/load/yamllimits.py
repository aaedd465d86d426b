"""Bounds on what a YAML file may make: nesting depth and what its aliases expand to.

PyYAML composes an alias (`*a`) as the very node its anchor (`&a`) names, so a composed
file stays as small as its text; the blow-up comes when sources._Builder walks that graph
into plain data, each alias expanding its anchor again. A "billion laughs" file of 1.5 KB
(nine aliases of nine aliases of …) grew by 230 MB a second until MemoryError; `&a [*a]`
is a list that contains itself and recursed until RecursionError. The builder asks an
AliasGuard before it builds each list or mapping (only in a text with a `*` in it).

Nesting: libyaml's composer recurses in C, once a level: 50,000 nested `[` crashed the
process (a segmentation fault, no message at all). Every level of nesting needs one
indicator character of its own (`-`, `?`, `:`, `[` or `{`), so a text with few of them is
composed as it is; one with many has its nesting measured first from the parser's events
(no recursion), and the builder checks the depth of what it builds.
"""

from __future__ import annotations

from typing import Any

import yaml

from site_builder.core.diagnostics import L, Report
from site_builder.core.positions import format_key

MAX_DEPTH = 50  # levels of lists and mappings; content needs fewer than ten
MAX_ALIASES = 100  # uses of an alias of a list or mapping in one file
MAX_EXPANDED = 10_000  # list items and mapping values those uses add in all
# Below this many indicator characters the composer cannot recurse deep enough to matter
# (it crashed between 20,000 and 50,000 levels; a thread's stack may be smaller).
_SAFE_INDICATORS = 5_000

ALIAS_FIX = L("不要用 & 锚点和 * 别名，把要重复的内容直接写出来"
              "（以 * 或 & 开头的普通文字请加引号）。",
              "Do not use & anchors and * aliases: write the repeated content out (quote "
              "plain text that starts with * or &).")
DEPTH_FIX = L(f"检查缩进和方括号：内容记录用不到这么多层（通常不超过 5 层）；是不是粘贴了别的数据？"
              f"最多 {MAX_DEPTH} 层。",
              f"Check the indentation and brackets: records need only a few levels (at most "
              f"{MAX_DEPTH}); was other data pasted in?")


class TooComplex(Exception):
    """A file over one of the bounds: what, how to fix it, and where."""

    def __init__(self, what: L, fix: L, path: tuple[Any, ...] = (),
                 where: tuple[int, int] | None = None) -> None:
        super().__init__(what.en)
        self.what = what
        self.fix = fix
        self.path = path  # the key path of the value concerned
        self.where = where  # (line, col) within the text, 1-based, when known


def depth_problem(text: str) -> TooComplex | None:
    """Whether `text` nests deeper than MAX_DEPTH, measured without recursion; only a
    text with many indicator characters is measured (see the module's docstring)."""
    if sum(map(text.count, "-?:[{")) < _SAFE_INDICATORS:
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    return TooComplex(_depth_words(), DEPTH_FIX,
                                      where=(mark.line + 1, mark.column + 1))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None  # composing stops at the same place and reports it
    return None


def _depth_words() -> L:
    return L(f"嵌套超过 {MAX_DEPTH} 层", f"nesting deeper than {MAX_DEPTH} levels")


def check_depth(path: tuple[Any, ...], mark: Any) -> None:
    """Raise TooComplex for a list or mapping nested deeper than MAX_DEPTH."""
    if len(path) >= MAX_DEPTH:
        raise TooComplex(_depth_words(), DEPTH_FIX, path, (mark.line + 1, mark.column + 1))


class AliasGuard:
    """Counts the lists and mappings that aliases make the builder build again."""

    def __init__(self) -> None:
        self.seen: set[int] = set()  # ids of the collection nodes built (alive meanwhile)
        self.uses = 0
        self.expanded = 0

    def admit(self, node: yaml.Node, path: tuple[Any, ...]) -> None:
        """Raise TooComplex if building `node` (a list or mapping) at `path` again would
        exceed the bounds or never end."""
        if id(node) not in self.seen:
            self.seen.add(id(node))
            return
        self.uses += 1
        if self.uses > MAX_ALIASES:
            raise TooComplex(L(f"别名（*）展开的次数超过 {MAX_ALIASES} 次（别名里的别名也算）",
                               f"aliases (*) are expanded more than {MAX_ALIASES} times "
                               "(aliases within aliases count)"),
                             ALIAS_FIX, path)
        size = _expanded_size(node, MAX_EXPANDED - self.expanded)
        if size < 0:
            raise TooComplex(L("别名（*）引用了包含它自己的内容，会无限展开",
                               "an alias (*) refers to content that contains it: it never "
                               "ends"), ALIAS_FIX, path)
        self.expanded += size
        if self.expanded > MAX_EXPANDED:
            raise TooComplex(L(f"别名（*）展开后超过 {MAX_EXPANDED:,} 项",
                               f"aliases (*) expand to more than {MAX_EXPANDED:,} items"),
                             ALIAS_FIX, path)


def _expanded_size(root: yaml.Node, budget: int) -> int:
    """How many nodes `root` stands for once every alias in it is expanded, counting no
    further than just past `budget`; -1 if `root` contains itself."""
    count = 0
    stack = [root]
    while stack and count <= budget:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [v for pair in node.value for v in pair]
        else:
            continue
        if any(child is root for child in children):
            return -1
        stack.extend(children)
    return count


def report_too_complex(exc: TooComplex, rel: str, report: Report, line_offset: int,
                       keys: dict[tuple[Any, ...], tuple[int, int]]) -> None:
    """Report `exc` at its place: its own, or the key nearest above its path (an alias is
    the node of its anchor, so its own place is unknown)."""
    where = exc.where
    if where is not None:
        where = (where[0] + line_offset, where[1])
    else:
        path = exc.path
        while path and path not in keys:
            path = path[:-1]
        where = keys.get(path, (1 + line_offset, 1))
    report.emit("yaml-too-complex", rel, where[0], where[1], format_key(exc.path),
                what=exc.what, fix=exc.fix)
