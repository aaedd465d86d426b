"""Write a plan all or nothing: every file to a temporary file beside it first, then renamed
into place; on any failure the renamed ones get their old bytes back and new ones go."""

from __future__ import annotations

import os
from pathlib import Path

from site_builder.sheets.plan import Change


class WriteFailed(Exception):
    """A file could not be written; content/ is as it was."""

    def __init__(self, rel: str, problem: str) -> None:
        super().__init__(f"{rel}: {problem}")
        self.rel = rel
        self.problem = problem


def _write_tmp(path: Path, data: bytes) -> Path:
    # A dot-name ending in .tmp: the loader ignores it if a build runs meanwhile.
    tmp = path.with_name(f".{path.name}.import.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return tmp


def write_changes(content: Path, changes: list[Change]) -> int:
    """Write every new or updated file; return how many. Raises WriteFailed, having undone."""
    todo = [c for c in changes if c.action in ("new", "update")]
    staged: list[tuple[Change, Path, Path]] = []
    done: list[tuple[Change, Path]] = []
    current = ""
    try:
        for change in todo:
            current = change.rel
            target = content / change.rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if change.action == "new" and target.exists():
                raise FileExistsError("文件已存在 / exists")
            staged.append((change, target, _write_tmp(target, change.text.encode("utf-8"))))
        for change, target, tmp in staged:
            current = change.rel
            os.replace(tmp, target)
            done.append((change, target))
    except OSError as exc:
        for change, target in reversed(done):
            if change.old is None:
                target.unlink(missing_ok=True)
            else:
                os.replace(_write_tmp(target, change.old), target)
        for _, _, tmp in staged:
            tmp.unlink(missing_ok=True)
        raise WriteFailed(current, f"{type(exc).__name__}: {exc}") from exc
    return len(done)
