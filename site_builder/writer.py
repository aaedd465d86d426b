"""Write: stage the whole site beside the output folder, then swap it in atomically.

A build that fails, or is killed, never leaves a half-written site: the previous output
stays in place until the complete new one replaces it in one rename. Files whose bytes
did not change are hard-linked from the previous output instead of written again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .render import Output

STAGE_PREFIX = ".staging-"
OLD_PREFIX = ".old-"
TRASH_PREFIX = ".trash-"  # a replaced output, deleted by the next build while it works


@dataclass(frozen=True)
class WriteStats:
    written: int  # files whose bytes changed or are new
    unchanged: int  # files carried over from the previous output
    removed: int  # files of the previous output that are gone now
    bytes: int


class OutputError(Exception):
    """The output folder cannot be used (it would overwrite the site's own files)."""


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output folder that contains the content (a swap would delete it)."""
    out = out_dir.resolve()
    site = site_dir.resolve()
    content = (site_dir / "content").resolve()
    if out in (site, content) or out in content.parents or content in out.parents:
        raise OutputError(str(out_dir))


def write_outputs(outputs: Iterable[Output], out_dir: Path, *,
                  defer_cleanup: bool = False) -> WriteStats:
    """Stage every output in a sibling folder, then swap it in place of `out_dir`.

    With `defer_cleanup`, the replaced output is left as a hidden `.NAME.trash-PID` folder
    for the next build's start_cleanup() to delete while that build works."""
    stage = Stage(out_dir)
    try:
        for item in outputs:
            stage.add(item)
        return stage.commit(defer_cleanup=defer_cleanup)
    finally:
        stage.abort()


class Stage:
    """The next output, built up beside the current one; `commit` swaps it in, `abort`
    (or a crash) leaves the current output untouched.

    The build stages pages while the render workers and Pagefind still work, so the disk
    writes overlap with the computing instead of following it."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.absolute()
        parent = self.out_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.out_dir)
        self.path = parent / f".{self.out_dir.name}{STAGE_PREFIX}{os.getpid()}"
        self.path.mkdir()
        self.written = self.unchanged = self.size = 0
        self.paths: set[str] = set()
        self._folders: set[Path] = {self.path}
        self.committed = False

    def add(self, item: Output) -> None:
        target = self.path / item.path
        if target.parent not in self._folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(target.parent)
        self.paths.add(item.path)
        previous = self.out_dir / item.path
        # A page reused from the previous output is linked without reading it.
        if item.origin == previous:
            try:
                self.size += previous.stat().st_size
                _replace_link(previous, target)
                self.unchanged += 1
                return
            except OSError:
                pass
        self.size += len(item.data)
        if _same_bytes(previous, item.data):
            try:
                _replace_link(previous, target)
                self.unchanged += 1
                return
            except OSError:
                pass  # another file system, or no hard links: write it
        if target.exists():
            target.unlink()  # an earlier output with the same path: the last one wins
        target.write_bytes(item.data)
        self.written += 1

    def commit(self, *, defer_cleanup: bool = False) -> WriteStats:
        _fsync_tree(self.path)
        removed = _count_removed(self.out_dir, self.paths)
        _swap(self.path, self.out_dir, defer_cleanup)
        self.committed = True  # self.path is the replaced output now, or gone
        return WriteStats(self.written, self.unchanged, removed, self.size)

    def abort(self) -> None:
        if not self.committed and self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)


def _replace_link(source: Path, target: Path) -> None:
    if target.exists():
        target.unlink()
    os.link(source, target)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _count_removed(out_dir: Path, paths: set[str]) -> int:
    if not out_dir.is_dir():
        return 0
    return sum(
        1 for p in out_dir.rglob("*")
        if p.is_file() and p.relative_to(out_dir).as_posix() not in paths
    )


def _fsync_tree(root: Path) -> None:
    """Flush the staged files so a power cut after the swap cannot expose empty files.

    SITE_BUILDER_NO_FSYNC=1 skips it: for benchmarks that measure the rest of the writer."""
    if os.environ.get("SITE_BUILDER_NO_FSYNC"):
        return
    with contextlib.suppress(AttributeError, OSError):  # not POSIX: nothing to flush
        os.sync()


def _swap(stage: Path, out_dir: Path, defer_cleanup: bool = False) -> None:
    """Put `stage` in place of `out_dir`; afterwards `stage` holds the old output, if any."""
    if not out_dir.exists():
        os.rename(stage, out_dir)
        return
    if _exchange(stage, out_dir):
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


def _remove_leftovers(out_dir: Path) -> None:
    """Remove staging folders left by a build that was killed."""
    for prefix in (STAGE_PREFIX, OLD_PREFIX):
        for path in out_dir.parent.glob(f".{out_dir.name}{prefix}*"):
            pid = path.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                continue  # another build is running right now
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
