"""What a form shows in its inputs: the file's values when it opens, or what the editor
posted when it comes back with problems (nothing typed is lost to a message)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from site_builder.core.positions import KeyPath
from site_builder.workbench.changes import MISSING, Form, as_flag, canonical, indices, last
from site_builder.workbench.fields import FieldView
from site_builder.workbench.typed_dates import display_date


def _path(name: str) -> KeyPath:
    return tuple(int(p) if p.isdigit() else p for p in name.split("."))


class FileValues:
    """Inputs filled from the file: dates and numbers shown as written."""

    def __init__(self, raw: Callable[[KeyPath], Any], body: str | None) -> None:
        self.raw, self.body = raw, body

    def _value(self, path: KeyPath) -> Any:
        value = self.raw(path)
        if value is MISSING and path and path[-1] == 0:
            whole = self.raw(path[:-1])  # one value written bare where a list belongs
            if whole is not MISSING and not isinstance(whole, dict | list):
                return whole
        return value

    def get(self, name: str) -> str:
        if name == "body":
            return self.body or ""
        value = self._value(_path(name))
        if value is MISSING or value is None or isinstance(value, dict | list):
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return display_date(value) if not isinstance(value, str) else value

    def flag(self, name: str) -> bool:
        value = self.raw(_path(name))
        return value is not MISSING and value is not None and as_flag(value)

    def choice(self, name: str, view: FieldView) -> str:
        text = self.get(name)
        return canonical(view, text) if text else ""

    def indices(self, name: str) -> list[int]:
        value = self.raw(_path(name))
        if isinstance(value, list):
            return list(range(len(value)))
        return [] if value is MISSING or value is None or isinstance(value, dict) else [0]

    def orig(self, name: str, n: int) -> str:
        return str(n)


class PostedValues:
    """Inputs filled from what was posted."""

    def __init__(self, form: Form) -> None:
        self.form = form

    def get(self, name: str) -> str:
        return last(self.form, name) or ""

    def flag(self, name: str) -> bool:
        return last(self.form, name) == "true"

    def choice(self, name: str, view: FieldView) -> str:
        return self.get(name)

    def indices(self, name: str) -> list[int]:
        return indices(self.form, name)

    def orig(self, name: str, n: int) -> str:
        return last(self.form, f"{name}.{n}._orig") or ""


def input_names(views: tuple[FieldView, ...], values: FileValues | PostedValues,
                prefix: str = "") -> set[str]:
    """Every name the form has an input or a group for (a problem elsewhere goes on top)."""
    out: set[str] = set()
    for view in views:
        name = prefix + view.key
        out.add(name)
        if view.widget == "list" and view.item is not None:
            for n in values.indices(name):
                out.add(f"{name}.{n}")
                out |= input_names(view.item.children, values, f"{name}.{n}.")
        elif view.children:
            out |= input_names(view.children, values, name + ".")
    return out
