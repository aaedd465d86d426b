"""A posted form against the file it was opened from: which values the editor changed.

Only a value whose meaning changed becomes an edit: a date shown as 2024-03-05 and posted
back unchanged is not rewritten, an enumeration written in English (`role: leader`) stays
as written when 龙头企业 comes back, and text is compared as the build reads it. List items
carry the index they had in the file (`memberships.2._orig`), so a reordered or shortened
list moves the items' own lines, comments included, instead of rewriting them."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from site_builder.core.positions import KeyPath
from site_builder.sheets.yamledit import Plain
from site_builder.validate import vocabularies as v
from site_builder.workbench.fields import FieldView
from site_builder.workbench.typed_dates import TypedDateError, display_date, parse_typed_date

MISSING: Any = object()
_ENUMS = (v.ORG_TYPES, v.MODELS, v.SEGMENTS, v.ROLES, v.PARTY_ORG_TYPES, v.STATION_TYPES,
          v.LISTING_KINDS, v.CATEGORIES, v.STATUSES, v.COORD_SYSTEMS, v.PROVIDERS,
          v.OUTSIDE_IMAGES, v.LANGUAGES)
Form = Mapping[str, list[str]]
Raw = Callable[[KeyPath], Any]  # the value at a path as the file holds it (MISSING if absent)


@dataclass
class Changes:
    """What to do to the file: lists to reorder first, then keys to drop, then values."""

    relists: list[tuple[KeyPath, list[int | None], list[Any]]] = field(default_factory=list)
    deletes: list[KeyPath] = field(default_factory=list)
    sets: list[tuple[KeyPath, Any]] = field(default_factory=list)
    # Input name → (catalogue code or "", message): what the form alone can tell.
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)
    required_empty: list[KeyPath] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.relists or self.deletes or self.sets)


def name_of(path: KeyPath) -> str:
    """The input name of a key path: memberships.0.role."""
    return ".".join(str(p) for p in path)


def last(form: Form, name: str) -> str | None:
    """The last value posted under `name` (a checkbox follows its hidden 'false')."""
    values = form.get(name)
    return values[-1] if values else None


def indices(form: Form, name: str) -> list[int]:
    """The list item numbers posted under `name.N…`, in order."""
    prefix = name + "."
    found: set[int] = set()
    for key in form:
        if key.startswith(prefix):
            head = key[len(prefix):].split(".", 1)[0]
            if head.isdigit():
                found.add(int(head))
    return sorted(found)


def writable(value: Any) -> Any:
    """A loaded value as it is written back: dates as the bare text YAML reads as a date."""
    if isinstance(value, dt.date):
        return Plain(value.isoformat())
    if isinstance(value, dict):
        return {k: writable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [writable(v) for v in value]
    return value


def _number(text: str) -> Any:
    clean = unicodedata.normalize("NFKC", text).strip().replace(",", "")
    try:
        return int(clean)
    except ValueError:
        try:
            return float(clean)
        except ValueError:
            return text.strip()  # the build says what is wrong with it


def _text(view: FieldView, text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if view.widget in ("markdown", "textarea"):
        return "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip()
    return " ".join(text.split("\n")).strip()


class FormReader:
    """Read one record's posted form into typed values and compare them with the file."""

    def __init__(self, form: Form, raw: Raw) -> None:
        self.form, self.raw = form, raw
        self.changes = Changes()

    # ---- reading ---------------------------------------------------------------------

    def scalar(self, view: FieldView, path: KeyPath) -> Any:
        """The typed value of one input, or MISSING when left empty."""
        name = name_of(path)
        posted = last(self.form, name)
        if view.widget == "checkbox":
            return posted == "true"
        if posted is None or not posted.strip():
            return MISSING
        if view.widget == "number":
            return _number(posted)
        if view.widget == "date":
            try:
                return Plain(parse_typed_date(posted))
            except TypedDateError as exc:
                self.changes.problems[name] = ("", exc.zh)
                return posted.strip()
        if view.widget in ("select", "ref", "image"):
            return posted.strip()
        return _text(view, posted)

    def value(self, view: FieldView, path: KeyPath) -> Any:
        if view.widget == "list":
            return self.items(view, path)
        if view.widget in ("group", "location"):
            out = {}
            for child in view.children:
                got = self.value(child, (*path, child.key))
                if got is not MISSING and not (child.widget == "checkbox" and got is False):
                    out[child.key] = got
            return out or MISSING
        return self.scalar(view, path)

    def items(self, view: FieldView, path: KeyPath) -> Any:
        """[(index in the file or None, value)] of a posted list; MISSING when empty."""
        assert view.item is not None
        out = []
        for n in indices(self.form, name_of(path)):
            got = self.value(view.item, (*path, n))
            if got is MISSING:
                continue
            orig = last(self.form, name_of((*path, n, "_orig")))
            out.append((int(orig) if orig and orig.isdigit() else None, got, n))
        return out or MISSING

    # ---- comparing -------------------------------------------------------------------

    def compare(self, views: tuple[FieldView, ...], base: KeyPath, old: Any,
                new_path: KeyPath, old_base: KeyPath | None = None) -> None:
        """Compare the posted keys under `new_path` with `old`, the file's mapping at
        `old_base`; edits go to `base` (a list item's new place, after a reorder)."""
        old_base = base if old_base is None else old_base
        for view in views:
            got = self.value(view, (*new_path, view.key))
            before = old.get(view.key, MISSING) if isinstance(old, dict) else MISSING
            self.one(view, (*base, view.key), before, got, (*old_base, view.key))

    def one(self, view: FieldView, path: KeyPath, before: Any, got: Any,
            old_path: KeyPath | None = None) -> None:
        changes = self.changes
        old_path = path if old_path is None else old_path
        if before not in (MISSING, None) and not shown(view, before):
            return  # the form could not show it (a list where text belongs): left as written
        if got is MISSING or (view.widget == "checkbox" and got is False and before is MISSING):
            if view.required:
                changes.required_empty.append(path)
            elif before is not MISSING and before is not None:
                changes.deletes.append(path)
            return
        if before is MISSING or before is None:
            changes.sets.append((path, _plain(got)))
        elif view.widget == "list":
            self.list_changes(view, path, before, got, old_path)
        elif view.widget in ("group", "location"):
            # A child not in the form (a custom template's key) is never touched.
            self.compare(view.children, path, before, path, old_path)
        elif not self.same(view, old_path, before, got):
            changes.sets.append((path, got))

    def list_changes(self, view: FieldView, path: KeyPath, before: Any, got: Any,
                     old_path: KeyPath) -> None:
        assert view.item is not None
        if not isinstance(before, list):  # one value written bare: shown as one item
            if len(got) != 1 or not self.same(view.item, old_path, before, got[0][1]):
                self.changes.sets.append((path, [_plain(v) for _, v, _ in got]))
            return
        order = [orig if orig is not None and 0 <= orig < len(before) else None
                 for orig, _, _ in got]
        seen: set[int] = set()
        for i, orig in enumerate(order):  # an index posted twice is a copy: a new item
            if orig is not None and orig in seen:
                order[i] = None
            elif orig is not None:
                seen.add(orig)
        if view.item.widget not in ("group", "location"):
            if order != list(range(len(before))) or any(
                    not self.same(view.item, (*old_path, o), before[o], v)
                    for o, (_, v, _) in zip(order, got, strict=True) if o is not None):
                self.changes.sets.append((path, [_plain(v) for _, v, _ in got]))
            return
        if order != list(range(len(before))):
            fresh = [writable(before[o]) if o is not None else _plain(v)
                     for o, (_, v, _) in zip(order, got, strict=True)]
            self.changes.relists.append((path, order, fresh))
        for i, (orig, (_, _, posted)) in enumerate(zip(order, got, strict=True)):
            if orig is not None:  # read at its posted number, compared where it was,
                # written at its new place
                self.compare(view.item.children, (*path, i), before[orig], (*path, posted),
                             (*old_path, orig))

    def same(self, view: FieldView, path: KeyPath, before: Any, got: Any) -> bool:
        """Whether the posted value means what the file holds at `path`."""
        if view.widget == "date":
            return display_date(before) == str(got)
        if view.widget == "checkbox":
            return as_flag(before) is got
        if view.widget == "number":
            old = _number(str(self.raw(path))) if isinstance(before, str) else before
            try:
                return float(old) == float(got)
            except (TypeError, ValueError):
                return str(before).strip() == str(got)
        if view.widget == "select":
            return canonical(view, before) == got
        written = self.raw(path)
        text = written if isinstance(written, str) else before
        if not isinstance(text, str):
            return str(text) == str(got)
        return _text(view, text) == got


def shown(view: FieldView, value: Any) -> bool:
    """Whether the form can show `value` in this input (so an empty input means cleared)."""
    if view.widget in ("group", "location"):
        return isinstance(value, dict)
    if view.widget == "list":
        return isinstance(value, list) or not isinstance(value, dict)
    return not isinstance(value, dict | list)


def as_flag(value: Any) -> bool:
    """A yes/no value as the build reads it (true, yes, 是 …; the text as written too)."""
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "y", "on", "是", "1")


def canonical(view: FieldView, value: Any) -> str:
    """The Chinese value of an enumeration as written in the file (English alias too)."""
    text = str(value).strip()
    for choice_value, _ in view.choices:
        if choice_value == text:
            return text
    for enum in _ENUMS:  # written as its English alias: `role: leader`
        found = enum.lookup().get(text.lower())
        if found and any(found == c for c, _ in view.choices):
            return found
    return text


def _plain(value: Any) -> Any:
    """A posted value as written: list items without their file indices."""
    if isinstance(value, list):
        return [_plain(x[1] if isinstance(x, tuple) else x) for x in value]
    if isinstance(value, dict):
        return {k: _plain(x) for k, x in value.items()}
    return value
