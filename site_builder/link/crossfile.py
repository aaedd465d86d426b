"""Checks across files that need no other check to pass first: the same name in two files of
one kind, and the references of a record with problems of its own, so that one build lists
every problem (a story's wrong alliance is reported with its bad date, not after it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, format_key
from site_builder.link.model import KIND_WORDS
from site_builder.validate.schema import Validated

# The references each kind makes, checked by link.linker for valid records.
_REFS: dict[str, tuple[tuple[str, str], ...]] = {
    "story": (("alliances", "alliance"), ("enterprises", "enterprise")),
    "station": (("alliances", "alliance"),),
    "listing": (("alliance", "alliance"), ("enterprise", "enterprise")),
}
# Kinds listed by name, where one name twice is one thing listed twice.
_NAMED = ("alliance", "enterprise", "station")


def check_invalid_refs(records: Mapping[tuple[str, str], Validated],
                       ref: Callable[[Validated, KeyPath, str, str], bool]) -> None:
    """Resolve the references that did validate in records that did not (those records
    are not published; only what is wrong is reported)."""
    for _key, rec in sorted(records.items()):
        if rec.ok or not rec.doc.ok:
            continue
        data = rec.data
        for key, kind in _REFS.get(rec.doc.kind, ()):
            value = data.get(key)
            if isinstance(value, tuple | list):
                for i, slug in enumerate(value):
                    ref(rec, (key, i), kind, slug)
            elif isinstance(value, str):
                ref(rec, (key,), kind, value)
        if rec.doc.kind == "enterprise":
            for i, m in enumerate(data.get("memberships", ())):
                if isinstance(m, Mapping) and isinstance(m.get("alliance"), str):
                    ref(rec, ("memberships", i, "alliance"), "alliance", m["alliance"])


def check_same_names(records: Mapping[tuple[str, str], Validated], report: Report) -> None:
    """Warn of two records of one kind with the same name or short name: the same
    enterprise in two files is listed twice on its alliance's page."""
    seen: dict[tuple[str, str], str] = {}
    for (kind, _slug), rec in sorted(records.items(), key=lambda kv: kv[1].doc.path):
        if kind not in _NAMED or not rec.ok:
            continue
        for key in ("name", "short_name"):
            name = rec.data.get(key)
            if not isinstance(name, str) or not name.strip():
                continue
            words = "".join(name.split())
            other = seen.setdefault((kind, words), rec.doc.path)
            if other != rec.doc.path:
                line, col = rec.positions.of_value((key,))
                report.emit("duplicate-name", rec.doc.path, line, col, format_key((key,)),
                            kind=KIND_WORDS[kind], name=name, other=other)
                break  # its short name is then the other's too: one warning a file
