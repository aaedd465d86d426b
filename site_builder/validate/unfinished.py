"""Unfinished records: a starter's 【待改】 text left unchanged, a story or page whose page
would be empty. Warnings: the file is valid, but not what its readers should see."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, format_key
from site_builder.core.starters import PLACEHOLDER
from site_builder.load.sourcedoc import SourceDoc


def _texts(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _texts(item, (*path, i))


def check_unfinished(doc: SourceDoc, report: Report) -> None:
    """Report the placeholders a starter file left (once a file, at the first, with their
    number) and a story or page without a body."""
    left = [(path, text) for path, text in _texts(doc.data, ()) if PLACEHOLDER in text]
    in_body = (doc.body or "").count(PLACEHOLDER)
    if left or in_body:
        if left:
            path = left[0][0]
            line, col = doc.positions.of_value(path)
            key = format_key(path)
        else:
            before = (doc.body or "")[:(doc.body or "").index(PLACEHOLDER)]
            line, col, key = doc.body_line + before.count("\n"), None, ""
        report.emit("placeholder", doc.path, line, col, key, count=len(left) + in_body,
                    mark=PLACEHOLDER)
    if (doc.kind in ("story", "page") and doc.body is not None and not doc.body.strip()
            and isinstance(doc.data, dict) and doc.data.get("draft") is not True):
        # The line of the closing ---: the body would start below it.
        report.emit("empty-body", doc.path, max(1, doc.body_line - 1), 1,
                    title=str(doc.data.get("title") or doc.slug))
