"""The files of `.cache/`: plain values in marshal format, written atomically.

marshal rather than pickle: loading a pickle can run code, and `.cache/` is only a
folder beside the content. Every file starts with a header of versions; a file from
another version, a damaged one or a missing one reads as None and is simply rebuilt.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path
from typing import Any

from . import __version__


def save(path: Path, header: tuple[Any, ...], value: Any) -> None:
    """Write (program version, *header, value); a read-only folder is no error."""
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}")
        tmp.write_bytes(marshal.dumps((__version__, *header, value)))
        os.replace(tmp, path)  # readers see the old file or the new one, never half


def load(path: Path, header: tuple[Any, ...]) -> Any:
    """The value saved with the same versions, or None."""
    try:
        stored = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if not isinstance(stored, tuple) or tuple(stored[:-1]) != (__version__, *header):
        return None
    return stored[-1]
