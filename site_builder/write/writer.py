"""Write: stage the whole site beside the output folder, then swap it in atomically.

A build that fails, or is killed, never leaves a half-written site: the previous output
stays in place until the complete new one replaces it in one rename. Files whose bytes
did not change are hard-linked from the previous output instead of written again.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.core.outputs import Output
from site_builder.write.copier import _FLUSHING, COPY_LIST, _copied, _copy_linked
from site_builder.write.files import (
    _FIND,
    _count_removed,
    _empty,
    _files,
    _fsync_tree,
    _parse_find,
    _remove_empty_folders,
    _remove_files_on_the_way,
    _same_bytes,
    link_new,
    write_new,
)
from site_builder.write.swap import (
    SPARE_SUFFIX,
    STAGE_PREFIX,
    TRASH_PREFIX,
    _remove_leftovers,
    _spare,
    _swap,
)


@dataclass(frozen=True)
class WriteStats:
    written: int  # files whose bytes changed or are new
    unchanged: int  # files carried over from the previous output
    bytes: int
    # Files of the previous output that are gone now: counted when asked (walking the
    # replaced output, kept as the spare, took 0.2 s of a rebuild that nobody waited on).
    count_removed: Callable[[], int] = field(repr=False, compare=False, default=lambda: 0)

    @property
    def removed(self) -> int:
        return self.count_removed()


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

    The build stages pages while the render workers and the indexer still work, so the disk
    writes overlap with the computing instead of following it.

    Making 18,000 folders and links takes seconds on some disks, for a rebuild that
    changes a few files. So the stage starts from an older tree when there is one: the
    output replaced by the previous build (kept as `.NAME.spare`), or else a hard-linked
    copy of the current output made by `cp -al` in another process while this one parses.
    Files that match are left alone; only changed files are written, stale ones deleted.
    Nothing in the stage is ever written in place (it shares inodes with the output)."""

    def __init__(self, out_dir: Path, *, recycle: bool = False) -> None:
        _FLUSHING[:] = [c for c in _FLUSHING if c.poll() is None]  # collect those done
        self.out_dir = out_dir.absolute()
        self._out = str(self.out_dir)
        parent = self.out_dir.parent
        parent.mkdir(parents=True, exist_ok=True)
        self.path = parent / f".{self.out_dir.name}{STAGE_PREFIX}{os.getpid()}"
        self.recycle = recycle
        self._prefill: subprocess.Popen[bytes] | None = None  # while it copies
        self._copier: subprocess.Popen[bytes] | None = None  # until it has exited
        old = _remove_leftovers(self.out_dir, keep=recycle)
        if old is not None:
            os.rename(old, self.path)
        else:
            self.path.mkdir()
            if recycle and self.out_dir.is_dir() and hasattr(os, "fork"):
                try:
                    self._prefill = self._copier = _copy_linked(self.out_dir, self.path)
                except OSError:  # no interpreter to run it: the stage is listed as it is
                    old = self.path
        # Files the stage held before this build (relative path -> inode), once known.
        self._existing: dict[str, int] | None = None if old or self._prefill else {}
        # A first build: nothing to link from, and nothing in the stage but what it adds
        # (spares it three system calls a page: 18,600 of them at N=300).
        self._first = self._existing == {} and not self.out_dir.exists()
        # A first build links every file it writes into a twin too, which becomes the spare
        # at commit: the first rebuild then starts from it like any later one, instead of
        # copying 56,000 entries while it works (0.5 s on a quiet disk, 2-4 s right after
        # a big write or delete, at N=300). "" when there is none (or linking failed).
        self.twin = ""
        self._twin: str | None = None  # the folder, until it is the spare or thrown away
        if self._first and recycle:
            twin = parent / f".{self.out_dir.name}{SPARE_SUFFIX}-{os.getpid()}"
            with contextlib.suppress(OSError):
                twin.mkdir()
                self.twin = self._twin = str(twin)
        self._twin_folders: set[str] = {self.twin}
        self.written = self.unchanged = self.size = 0
        self.paths: set[str] = set()
        self._folders: set[str] = {str(self.path)}
        self.committed = False
        # The tree is walked while this process parses and links: the walk waited on the
        # disk for up to 1.3 s. By `find` where there is one: a thread of this process
        # gets the interpreter lock back after every folder only when the busy main
        # thread lets go of it (every 5 ms), so its walk of 18,000 folders never ended.
        self._found: bytes | tuple[dict[str, int], set[str]] | BaseException | None = None
        self._walker: threading.Thread | None = None
        if self._existing is None:
            self.start_walk()

    def start_walk(self) -> None:
        """Start listing the old tree in a thread (once)."""
        if self._existing is not None or self._walker is not None:
            return
        self._walker = threading.Thread(target=self._walk, daemon=True)
        self._walker.start()

    def _walk(self) -> None:
        try:
            if self._prefill is not None and _FIND is not None:
                # A complete copy holds what output/ holds, inode for inode: list output/
                # while it is copied instead of the stage after it (0.2 s at N=300).
                listing = self._find(self.out_dir)
                if _copied(self._prefill):
                    self._found = listing + f"f -1 {COPY_LIST}\0".encode()
                    return
            elif self._prefill is not None:
                _copied(self._prefill)
            # Whatever the copy did or did not copy, the stage's own listing tells.
            self._found = self._find(self.path) if _FIND is not None else _files(str(self.path))
        except BaseException as exc:  # handed to the build's own thread by _before()
            self._found = exc

    @staticmethod
    def _find(folder: Path) -> bytes:
        return subprocess.run(
            [_FIND, str(folder), "-mindepth", "1", "-printf", "%y %i %P\\0"],  # type: ignore[list-item]
            stdin=subprocess.DEVNULL, capture_output=True, check=True).stdout

    def ready(self) -> None:
        """Wait for the walk of the stage's old tree (before forking: no thread then)."""
        self._before()

    def _before(self) -> dict[str, int]:
        if self._existing is None:
            self.start_walk()
            assert self._walker is not None
            self._walker.join()
            self._prefill = None
            if isinstance(self._found, BaseException):
                raise self._found
            assert self._found is not None
            found = self._found
            self._existing, folders = (_parse_find(str(self.path), found)
                                       if isinstance(found, bytes) else found)
            self._folders.update(folders)
        return self._existing

    def add(self, item: Output) -> None:
        if self._first and item.path not in self.paths and self._write_new(
                f"{self.path}/{item.path}", item.data):
            self.paths.add(item.path)
            return
        existing = self._before()
        target = f"{self.path}/{item.path}"
        had = existing.pop(item.path, None)  # the inode the stage holds at this path
        self.paths.add(item.path)
        previous = f"{self._out}/{item.path}"
        # A page reused from the previous output is linked without reading it.
        if item.origin == previous or _same_bytes(previous, item.data):
            try:
                st = os.stat(previous)
            except OSError:
                size = inode = -1
            else:
                size, inode = st.st_size, st.st_ino
        else:
            size = inode = -1
        if inode >= 0:
            try:
                if had != inode:
                    self._clear(target, had)
                    os.link(previous, target)
                self.size += size
                self.unchanged += 1
                return
            except OSError:
                pass  # another file system, or no hard links: write it
        data = item.data
        self.size += len(data)
        self._clear(target, had)
        Path(target).write_bytes(data)
        self.written += 1

    def _write_new(self, target: str, data: bytes) -> bool:
        """Write a file where nothing should be yet, in a stage that started empty; False
        (nothing written) when something is in the way: add() then clears it as usual."""
        if not write_new(target, data, self._folders):
            return False
        if self.twin and not link_new(target, self.twin + target[len(str(self.path)):],
                                      self._twin_folders):
            self.twin = ""  # an incomplete twin is still a fine start: it is listed
        self.size += len(data)
        self.written += 1
        return True

    def _clear(self, target: str, had: int | None) -> None:
        """Make room at `target`: its folder exists, nothing is at the path itself."""
        folder = os.path.dirname(target)
        if folder not in self._folders:
            try:
                os.makedirs(folder, exist_ok=True)
            except (FileExistsError, NotADirectoryError):  # an old file where a folder goes
                _remove_files_on_the_way(str(self.path), folder, self._existing or {})
                os.makedirs(folder, exist_ok=True)
            self._folders.add(folder)
        if had is not None:
            os.unlink(target)  # never write into a file the output shares
        elif os.path.lexists(target):  # staged earlier in this build, or an old folder
            if os.path.isdir(target) and not os.path.islink(target):
                shutil.rmtree(target)
            else:
                os.unlink(target)

    def commit(self, *, defer_cleanup: bool = False) -> WriteStats:
        stale = self._before()
        for rel in stale:  # in the stage, not in this build (or under a folder removed)
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                os.unlink(f"{self.path}/{rel}")
        _remove_empty_folders(str(self.path), {os.path.dirname(r) for r in stale})
        _fsync_tree(self.path)
        self._reap(wait=False)
        paths = frozenset(self.paths)
        if self.recycle:  # the replaced output will be the spare, or at self.path
            def count_removed() -> int:
                trash = self.out_dir.parent / f".{self.out_dir.name}{TRASH_PREFIX}{os.getpid()}"
                for old in (_spare(self.out_dir), self.path, trash):
                    if old.is_dir():
                        return _count_removed(old, paths)
                return 0
        else:
            removed = _count_removed(self.out_dir, paths)
            def count_removed() -> int:
                return removed
        _swap(self.path, self.out_dir, defer_cleanup, keep=self.recycle)
        self.committed = True  # self.path is the replaced output now, or gone
        self._drop_twin(keep=True)
        return WriteStats(self.written, self.unchanged, self.size,
                          functools.cache(count_removed))

    def _reap(self, wait: bool = True) -> None:
        """Collect the copier's exit. After the copy it flushes what it made; the build's
        own sync has flushed it too by the time it commits, so a commit does not wait for
        the copier's (`wait=False`): one still flushing exits by itself, and is collected
        by the next Stage made in this process (or by init when this process is gone)."""
        copier, self._copier = self._copier, None
        if copier is None:
            return
        if copier.stdout is not None:
            copier.stdout.close()
        if wait:
            copier.wait()
        elif copier.poll() is None:
            _FLUSHING.append(copier)

    def _drop_twin(self, *, keep: bool = False) -> None:
        """Make the twin the spare (`keep`), or hand it to the next build's cleanup."""
        twin, self._twin, self.twin = self._twin, None, ""
        if twin is None:
            return
        if keep and not _spare(self.out_dir).exists():
            with contextlib.suppress(OSError):
                os.rename(twin, _spare(self.out_dir))
                return
        # A failed first build: its stage becomes the spare, its twin (links only) goes.
        shutil.rmtree(twin, ignore_errors=True)

    def abort(self) -> None:
        self._drop_twin()  # the stage itself becomes the spare (below)
        if self.committed or not self.path.exists():
            if self._walker is not None:
                self._walker.join()
            self._reap()
            return
        if self._prefill is not None:
            # The copier and the process it forked are a group of their own: stop both
            # before the stage they fill is moved or deleted.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._prefill.pid, signal.SIGKILL)
        if self._walker is not None:
            self._walker.join()  # before the tree it walks is moved or deleted
        self._reap()  # (after the walker, which may be reading what the copier says)
        if self.recycle and not _empty(self.path):  # a fine start for the next stage
            with contextlib.suppress(OSError):
                os.rename(self.path, _spare(self.out_dir))
                return
        shutil.rmtree(self.path, ignore_errors=True)


