"""Where each key and value of a content file starts: every message points at a line and column."""

from __future__ import annotations

import marshal
from collections.abc import Mapping
from typing import Any, Protocol


class Tail(Protocol):
    """Positions still packed with a memo document (load.sources._Tail)."""

    def value(self) -> tuple[Any, Mapping[Any, str], bytes, Any]: ...


# A key path: ("memberships", 1, "role").
KeyPath = tuple[str | int, ...]



def format_key(path: KeyPath) -> str:
    """Render ('memberships', 1, 'role') as memberships[1].role."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out



class Positions:
    """Where each key and value of a YAML document starts (1-based line, col).

    Positions are read only to report a problem, so a document from the memo keeps them
    packed (marshal bytes) until then: unpacking 18,000 documents' worth took a second.
    The top-level values' positions stay at hand (`top`): linking reads the line of each
    record's Markdown description, which unpacked 12,000 tables (0.3 s) on every rebuild."""

    __slots__ = ("_keys", "_packed", "_raw", "_tail", "_top", "_values")

    def __init__(self, keys: Mapping[KeyPath, tuple[int, int]] | None = None,
                 values: Mapping[KeyPath, tuple[int, int]] | None = None,
                 raw: Mapping[KeyPath, str] | None = None, *, packed: bytes | None = None,
                 top: Mapping[KeyPath, tuple[int, int]] | None = None,
                 tail: Tail | None = None) -> None:
        self._keys = keys if keys is not None else {}
        self._values = values if values is not None else {}
        self._packed = packed  # when given, it holds both tables (keys and values above)
        self._top = top  # given with `packed`; else made from the values when first asked
        # The text as written of unquoted scalars YAML turned into something else (numbers,
        # dates, booleans): a phone number 0512345670 must not become octal 86625208.
        self._raw: Mapping[KeyPath, str] = raw if raw is not None else {}
        self._tail = tail  # a memo document's: raw, packed and top are in there

    def _untail(self) -> None:
        if self._tail is not None:
            _, self._raw, self._packed, self._top = self._tail.value()
            self._tail = None

    @property
    def raw(self) -> Mapping[KeyPath, str]:
        self._untail()
        return self._raw

    def _tables(self) -> tuple[Mapping[KeyPath, tuple[int, int]],
                               Mapping[KeyPath, tuple[int, int]]]:
        self._untail()
        if self._packed is not None:
            self._keys, self._values = marshal.loads(self._packed)
            self._packed = None
        return self._keys, self._values

    @property
    def keys(self) -> Mapping[KeyPath, tuple[int, int]]:
        return self._tables()[0]

    @property
    def values(self) -> Mapping[KeyPath, tuple[int, int]]:
        return self._tables()[1]

    def pack(self) -> bytes:
        self._untail()
        if self._packed is not None:
            return self._packed
        return marshal.dumps((dict(self.keys), dict(self.values)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Positions):
            return NotImplemented
        return (self.keys, self.values, self.raw) == (other.keys, other.values, other.raw)

    def __repr__(self) -> str:
        return f"Positions({len(self.keys)} keys, {len(self.values)} values)"

    @property
    def top(self) -> Mapping[KeyPath, tuple[int, int]]:
        """The positions of the document (path ()) and of its top-level values."""
        self._untail()
        if self._top is None:
            self._top = {p: v for p, v in self.values.items() if len(p) <= 1}
        return self._top

    def of_value(self, path: KeyPath) -> tuple[int | None, int | None]:
        """Position of the value at `path`, or of its nearest located ancestor."""
        values = self.top if len(path) <= 1 else self.values
        while True:
            if path in values:
                return values[path]
            if not path:
                return (None, None)
            path = path[:-1]

    def of_key(self, path: KeyPath) -> tuple[int | None, int | None]:
        if path in self.keys:
            return self.keys[path]
        return self.of_value(path)
