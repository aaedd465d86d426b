"""A finding of the audit: where, what, the inspection's level and the fix."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.core.diagnostics import AUDIT_CATALOGUE, AUDIT_LEVELS, _fill


@dataclass(frozen=True)
class Finding:
    code: str
    file: str | None = None  # relative to content/, or an output path for page findings
    line: int | None = None
    col: int | None = None
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> str:
        return AUDIT_CATALOGUE[self.code][0]

    def message(self, lang: str = "zh-CN") -> str:
        entry = AUDIT_CATALOGUE[self.code][1]
        return _fill(entry.en if lang == "en" else entry.zh, self.args, lang).strip()

    def hint(self, lang: str = "zh-CN") -> str:
        entry = AUDIT_CATALOGUE[self.code][1]
        return _fill(entry.hint_en if lang == "en" else entry.hint_zh, self.args, lang)

    def location(self) -> str:
        where = self.file or "（全站）"
        if self.line is not None:
            where += f":{self.line}"
            if self.col is not None:
                where += f":{self.col}"
        return where

    def sort_key(self) -> tuple[int, str, int, int, str]:
        return (AUDIT_LEVELS.index(self.level), self.file or "", self.line or 0,
                self.col or 0, self.code)


def locate_key(content_dir: Path, file: str, key: str) -> tuple[int | None, int | None]:
    """Line and column of a top-level `key:` in a content file (front matter included)."""
    try:
        text = (content_dir / file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None, None
    pattern = re.compile(rf"{re.escape(key)}\s*:")
    for n, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            value = line.split(":", 1)[1]
            return n, len(line) - len(value.lstrip()) + 1 if value.strip() else 1
    return None, None
