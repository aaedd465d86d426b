"""Diagnostics: every problem a build finds, with where it is and how to fix it.

Each message lives once in the catalogue (messages.yaml, loaded into CATALOGUE), keyed by a
stable code, in Chinese and English.
Severity belongs to the check (the catalogue entry); `--strict` promotes warnings at the
end of a build, never on the first record.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class L:
    """A word or phrase in both languages, for message arguments."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


@dataclass(frozen=True)
class Message:
    severity: Severity
    zh: str
    en: str
    hint_zh: str = ""
    hint_en: str = ""


E, W = Severity.ERROR, Severity.WARNING


def _load_catalogues() -> tuple[dict[str, Message], dict[str, tuple[str, Message]]]:
    """The catalogues, from messages.yaml beside this module (data, not code)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = Path(__file__).with_name("messages.yaml").read_text(encoding="utf-8")
    found = yaml.load(text, Loader=loader)

    def message(entry: dict[str, str]) -> Message:
        return Message(Severity(entry["severity"]), entry["zh"], entry["en"],
                       entry.get("hint_zh", ""), entry.get("hint_en", ""))

    return ({code: message(e) for code, e in found["build"].items()},
            {code: (e["level"], message(e)) for code, e in found["audit"].items()})


# One entry per error family, and one per audit finding with its level (严重 / 警告 / 提醒), in
# messages.yaml. Arguments in {braces}; {hint} entries may be empty when the argument they
# need (a suggestion) is missing: see Diagnostic.hint().
CATALOGUE, AUDIT_CATALOGUE = _load_catalogues()

# What `site-builder audit` finds, as a government website inspector would (issue #24). Its
# level is the inspection's: 严重 fails an inspection outright, 警告 costs marks, 提醒 is
# worth a look. Kept apart from CATALOGUE: these are findings on a valid site, not errors
# of a build.
AUDIT_LEVELS = ("严重", "警告", "提醒")


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located in a content file and explained."""

    code: str
    file: str | None = None  # relative to content/, with forward slashes
    line: int | None = None  # 1-based, counted from the file's first line
    col: int | None = None  # 1-based
    key: str = ""  # key path, e.g. memberships[1].role
    args: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # None: the catalogue's severity

    @property
    def level(self) -> Severity:
        return self.severity or CATALOGUE[self.code].severity

    def message(self, lang: str = "zh-CN") -> str:
        entry = CATALOGUE[self.code]
        return visible(_fill(entry.en if lang == "en" else entry.zh, self.args, lang))

    def hint(self, lang: str = "zh-CN") -> str:
        entry = CATALOGUE[self.code]
        return visible(_fill(entry.hint_en if lang == "en" else entry.hint_zh, self.args, lang))

    def location(self) -> str:
        where = visible(self.file) if self.file else "(命令行 command line)"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def format(self, lang: str = "zh-CN") -> str:
        """Render as the lines a terminal shows."""
        label = {
            ("zh", Severity.ERROR): "错误",
            ("zh", Severity.WARNING): "警告",
            ("en", Severity.ERROR): "error",
            ("en", Severity.WARNING): "warning",
        }[("en" if lang == "en" else "zh", self.level)]
        head = f"{self.location()}  {label}"
        if self.key:
            head += f"  {visible(self.key)}"
        lines = [head, f"  {self.message(lang)}"]
        hint = self.hint(lang)
        if hint:
            lines.append(("  hint: " if lang == "en" else "  提示：") + hint)
        return "\n".join(lines)

    def identity(self) -> tuple[Any, ...]:
        args = tuple(sorted((k, repr(v)) for k, v in self.args.items()))
        return (self.code, self.file, self.line, self.col, self.key, args)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file or "", self.line or 0, self.col or 0, self.key, self.code)

    def as_dict(self, lang: str = "zh-CN") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": str(self.level),
            "file": visible(self.file) if self.file else self.file,
            "line": self.line,
            "col": self.col,
            "key": visible(self.key),
            "message": self.message(lang),
            "hint": self.hint(lang),
        }


# What a terminal would obey or hide instead of showing: control characters (ESC starts
# colour and cursor sequences, a newline forges a line), lone surrogates (the bytes of a
# file name that is not UTF-8: printing one raises), format characters (bidi overrides
# reorder the text shown) and line separators.
_HIDDEN = frozenset({"Cc", "Cs", "Cf", "Zl", "Zp"})


def visible(text: str) -> str:
    """`text` with each such character written as an escape (\\x1b, \\n, \\udcff)."""
    if text.isprintable():  # nearly always: nothing to look at character by character
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _fill(template: str, args: Mapping[str, Any], lang: str) -> str:
    values = {name: _localise(value, lang) for name, value in args.items()}
    return template.format_map(_Defaulting(values))


def _localise(value: Any, lang: str) -> str:
    if isinstance(value, L):
        return value.get(lang)
    if isinstance(value, list | tuple):
        sep = ", " if lang == "en" else "、"
        return sep.join(_localise(v, lang) for v in value)
    return str(value)


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "…"


class Report:
    """Collect diagnostics across a whole build; decide at the end."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self.strict = False

    def __len__(self) -> int:
        return len(self._items)

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self._items.extend(diagnostics)

    def emit(self, code: str, file: str | None = None, line: int | None = None,
             col: int | None = None, key: str = "", **args: Any) -> None:
        self.add(Diagnostic(code, file, line, col, key, args))

    @property
    def items(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic, sorted by file and position, warnings promoted under strict."""
        unique = {d.identity(): d for d in self._items}  # a template error hits every page
        found = sorted(unique.values(), key=Diagnostic.sort_key)
        if self.strict:
            found = [
                Diagnostic(d.code, d.file, d.line, d.col, d.key, d.args, Severity.ERROR)
                if d.level is Severity.WARNING else d
                for d in found
            ]
        return tuple(found)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.level is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.items if d.level is Severity.WARNING)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def format(self, lang: str = "zh-CN") -> str:
        return "\n\n".join(d.format(lang) for d in self.items)


def closest(word: str, candidates: Sequence[str], cutoff: float = 0.55) -> str | None:
    """Return the candidate nearest to `word`, or None when nothing is close."""
    if not candidates:
        return None
    lowered = {c.lower(): c for c in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=cutoff)
    if found:
        return lowered[found[0]]
    # A typed prefix or a name contained in another ('shagang' in 'jiangsu-shagang').
    for cand in sorted(candidates, key=len):
        if len(word) >= 3 and (word.lower() in cand.lower() or cand.lower() in word.lower()):
            return cand
    return None
