"""Specs: what a value must be, checked with its position. A Record is one kind of file, one
Field per key; unknown keys get the closest known one suggested."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from site_builder.core.diagnostics import L, Report, closest
from site_builder.core.positions import KeyPath, Positions, format_key

INVALID: Any = object()  # a value that failed validation (already reported)


@dataclass
class Ctx:
    """Where validation is: the file, its positions, and where problems go."""

    file: str
    positions: Positions
    report: Report
    ok: bool = True

    def error(self, code: str, path: KeyPath, *, at_key: bool = False, **args: Any) -> Any:
        line, col = (self.positions.of_key if at_key else self.positions.of_value)(path)
        self.report.emit(code, self.file, line, col, format_key(path), **args)
        if code not in ("out-of-china",):
            self.ok = False
        return INVALID


def _describe(value: Any) -> L:
    """Name the type of a YAML value the way an editor would see it."""
    if value is None:
        return L("空值", "nothing")
    if isinstance(value, bool):
        return L(f"是/否（{str(value).lower()}）", f"a yes/no value ({str(value).lower()})")
    if isinstance(value, int | float):
        return L(f"数字 {value}", f"the number {value}")
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return L(f"文字“{shown}”", f"the text '{shown}'")
    if isinstance(value, list):
        return L("列表（- 开头的多项）", "a list")
    if isinstance(value, dict):
        return L("几行“名称: 内容”", "a mapping")
    return L(type(value).__name__, type(value).__name__)


class Spec:
    """Base of all value specs: check one value and return it normalised, or INVALID."""

    expected = L("值", "a value")
    example = L("", "")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        raise RuntimeError("abstract")  # pragma: no cover

    def wrong(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        return ctx.error("wrong-type", path, name=format_key(path), expected=self.expected,
                         got=_describe(value), example=self.example)






@dataclass(frozen=True)
class Field:
    """A key of a mapping: its spec, whether it must be there, and what it means."""

    spec: Spec
    required: bool = False
    meaning: L = field(default_factory=lambda: L("", ""))
    default: Any = None


@dataclass(frozen=True)
class Record(Spec):
    fields: Mapping[str, Field] = field(default_factory=dict)
    open_keys: bool = False  # `extra:` — anything goes
    expected = L("下面缩进的几行“名称: 内容”", "a mapping of keys")
    example = L("冒号后面不写内容，从下一行起缩进两个空格，每行写一个“名称: 内容”。",
                "Indent the keys below it by two spaces.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if self.open_keys:
            return value if isinstance(value, dict) else self.wrong(value, ctx, path)
        if not isinstance(value, dict):
            if not path:
                return ctx.error("not-mapping", path, got=_describe(value))
            return self.wrong(value, ctx, path)
        out: dict[str, Any] = {}
        known = list(self.fields)
        for key, raw in value.items():
            child = (*path, key)
            spec = self.fields.get(key)
            if spec is None:
                suggestion = closest(key, known)
                if suggestion:
                    ctx.error("unknown-key", child, at_key=True, name=key,
                              suggestion=suggestion, allowed=known)
                else:
                    ctx.error("unknown-key-nosuggest", child, at_key=True, name=key,
                              allowed=known)
                continue
            if raw is None:
                # `cover:` left empty means not given (a required one is reported below).
                if spec.default is not None:
                    out[key] = spec.default
                continue
            checked = spec.spec.check(raw, ctx, child)
            if checked is not INVALID:
                out[key] = checked
        for key, spec in self.fields.items():
            if key in value and value[key] is None and spec.required:
                # Written but left empty: point at the key itself, not at its parent.
                ctx.error("empty-required", (*path, key), at_key=True,
                          name=format_key((*path, key)), meaning=spec.meaning)
            elif key not in value:
                if spec.required:
                    parent = format_key(path)
                    ctx.error("missing-key", path, name=format_key((*path, key)), leaf=key,
                              meaning=spec.meaning,
                              where=f"“{parent}”下" if parent else "文件顶层",
                              where_en=f"under '{parent}'" if parent else "at the top level")
                elif spec.default is not None:
                    out[key] = spec.default
        return out
