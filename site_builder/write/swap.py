"""The swap: the complete stage takes output/'s place in one rename (or an atomic exchange),
and what it replaced is kept as the next build's spare or deleted while the next build
works."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import threading
from pathlib import Path

STAGE_PREFIX = ".staging-"



OLD_PREFIX = ".old-"



TRASH_PREFIX = ".trash-"  # a replaced output, deleted by the next build while it works

SPARE_SUFFIX = ".spare"  # the output replaced last, the next build's starting point


def _spare(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}{SPARE_SUFFIX}"


def _swap(stage: Path, out_dir: Path, defer_cleanup: bool = False,
          keep: bool = False) -> None:
    """Put `stage` in place of `out_dir`; afterwards `stage` holds the old output, if any.

    With `keep`, the old output becomes the spare, where the next build's stage starts."""
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return
    if _exchange(stage, out_dir):
        if keep:
            with contextlib.suppress(OSError):
                os.rename(stage, _spare(out_dir))
                return
        if not defer_cleanup:
            shutil.rmtree(stage, ignore_errors=True)
            return
        # Deleting 18,000 folders takes seconds: the next build does it in the background
        # while it reads and renders (start_cleanup), instead of this one waiting for it.
        trash = out_dir.parent / f".{out_dir.name}{TRASH_PREFIX}{os.getpid()}"
        try:
            os.rename(stage, trash)
        except OSError:
            shutil.rmtree(stage, ignore_errors=True)
        return
    # No atomic exchange on this system: two renames, the gap between them is tiny.
    old = out_dir.parent / f".{out_dir.name}{OLD_PREFIX}{os.getpid()}"
    os.rename(out_dir, old)
    os.rename(stage, out_dir)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2


_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with Linux renameat2(RENAME_EXCHANGE)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b),
                       _RENAME_EXCHANGE)
    return result == 0


def start_cleanup(out_dir: Path) -> threading.Thread | None:
    """Delete the outputs replaced by earlier builds, in a thread (the files are unlinked
    by the kernel while this process parses and renders). Join it before exiting."""
    out_dir = out_dir.absolute()
    trash = sorted(out_dir.parent.glob(f".{out_dir.name}{TRASH_PREFIX}*"))
    if not trash:
        return None
    # Renamed first, so a build starting meanwhile does not delete the same folders.
    claimed = []
    for path in trash:
        mine = path.with_name(f"{path.name}-{os.getpid()}-deleting")
        with contextlib.suppress(OSError):
            os.rename(path, mine)
            claimed.append(mine)

    def remove() -> None:
        for path in claimed:
            shutil.rmtree(path, ignore_errors=True)

    thread = threading.Thread(target=remove, name="site-builder-cleanup")
    thread.start()
    return thread


def _remove_leftovers(out_dir: Path, keep: bool = False) -> Path | None:
    """Remove staging folders left by a build that was killed; with `keep`, return one
    old tree (the spare, or a dead build's stage) to start the next stage from, and hand
    the others to the build's start_cleanup() (a killed first build leaves its stage and
    its twin: deleting 56,000 entries here took seconds before the build began)."""
    kept: Path | None = None
    spare = _spare(out_dir)
    if keep and spare.is_dir() and not spare.is_symlink():
        kept = spare.with_name(f"{spare.name}-{os.getpid()}")
        try:
            os.rename(spare, kept)  # claimed: a build starting meanwhile won't take it
        except OSError:
            kept = None
    for prefix in (STAGE_PREFIX, OLD_PREFIX, SPARE_SUFFIX + "-"):
        for path in out_dir.parent.glob(f".{out_dir.name}{prefix}*"):
            pid = path.name.rsplit("-", 1)[-1]
            if path == kept or (pid.isdigit() and int(pid) != os.getpid()
                                and _alive(int(pid))):
                continue  # another build is running right now
            if keep and kept is None and path.is_dir() and not path.is_symlink():
                kept = path
                continue
            if keep:
                what = path.name[len(out_dir.name) + 1:]  # e.g. ".staging-PID"
                trash = path.with_name(f".{out_dir.name}{TRASH_PREFIX}{os.getpid()}{what}")
                with contextlib.suppress(OSError):
                    os.rename(path, trash)
                    continue
            shutil.rmtree(path, ignore_errors=True)
    return kept


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
