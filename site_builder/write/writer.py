"""Write: stage the whole site beside the output folder, then swap it in atomically.

A build that fails, or is killed, never leaves a half-written site: the previous output
stays in place until the complete new one replaces it in one rename. Files whose bytes
did not change are hard-linked from the previous output instead of written again.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.core.outputs import Output

STAGE_PREFIX = ".staging-"
OLD_PREFIX = ".old-"
TRASH_PREFIX = ".trash-"  # a replaced output, deleted by the next build while it works


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

    def __init__(self, out_dir: Path, *, recycle: bool = False, walk: bool = True) -> None:
        """`walk=False`: the listing of an old tree waits for start_walk() (or the first
        page staged), so that a process can be forked before the walker thread starts."""
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
        self._adopted: list[Output] = []
        self._folders: set[str] = {str(self.path)}
        self.committed = False
        # The tree is walked while this process parses and links: the walk waited on the
        # disk for up to 1.3 s. By `find` where there is one: a thread of this process
        # gets the interpreter lock back after every folder only when the busy main
        # thread lets go of it (every 5 ms), so its walk of 18,000 folders never ended.
        self._found: bytes | tuple[dict[str, int], set[str]] | BaseException | None = None
        self._walker: threading.Thread | None = None
        self._listing: Callable[[], tuple[dict[str, int], set[str]] | None] | None = None
        if self._existing is None and walk:
            self.start_walk()

    @property
    def old_tree(self) -> Path | None:
        """The old tree this stage starts from, as it is (not a copy being made), while
        it is still to be listed."""
        if self._existing is None and self._prefill is None and self._walker is None:
            return self.path
        return None

    def start_walk(self, listing: Callable[[], tuple[dict[str, int], set[str]] | None]
                   | None = None) -> None:
        """Start listing the old tree, or take the listing from `listing` when it is
        needed (lookahead.py makes it in another process): None from it means listing
        the tree then."""
        if self._existing is not None or self._walker is not None or self._listing:
            return
        if listing is not None and self._prefill is None:
            self._listing = listing
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
        if self._existing is None and self._listing is not None:
            listing, self._listing = self._listing, None
            found = listing()
            if found is None:
                found = (_parse_find(str(self.path), self._find(self.path))
                         if _FIND is not None else _files(str(self.path)))
            self._existing = found[0]
            self._folders.update(found[1])
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
        # A page reused from the previous output is linked without reading it (and without
        # a second stat: the page store has just checked the file).
        if item.origin == previous and item.stat is not None:
            size, inode = item.stat[0], item.stat[2]
        elif item.origin == previous or _same_bytes(previous, item.data):
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

    @property
    def direct(self) -> str | None:
        """Where render workers may write new pages themselves: the stage of a first build
        (sparing this process 250 MB of pages sent over pipes at N=300), else None."""
        return str(self.path) if self._first else None

    def direct_writer(self) -> DirectWriter | None:
        """What render workers write new pages into the stage with (see `direct`)."""
        return DirectWriter(str(self.path), self.twin) if self._first else None

    def adopt(self, item: Output, size: int) -> None:
        """Count a page a render worker wrote into the stage (see `direct`)."""
        self.paths.add(item.path)
        self.size += size
        self.written += 1
        self._adopted.append(item)

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
        for item in self._adopted:  # its bytes are read, when asked for, from output/ now
            item.origin = f"{self._out}/{item.path}"
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


# The copier runs in its own small interpreter (no site_builder imported: it starts in
# a few milliseconds), split into two processes. It only makes folders and hard links:
# `cp -al` also copies every folder's owner, mode and times. At N=300 it copies output/ in
# 0.5-0.6 s where `cp -al` took 1.2 s (both measured into fresh folders, alternately).
_COPIER = """
import os, stat, sys
os.nice(10)  # the build itself comes first; the copy is needed only when pages are staged
source, target, listing = (os.fsencode(a) for a in sys.argv[1:4])
with open(listing, "rb") as f:
    entries = [e for e in f.read().split(b"\\0") if e]
def copy_folder(rel):
    os.mkdir(target + b"/" + rel)
    with os.scandir(source + b"/" + rel) as inner:
        for entry in inner:
            sub = rel + b"/" + entry.name
            if entry.is_dir(follow_symlinks=False):
                copy_folder(sub)
            else:
                os.link(entry.path, target + b"/" + sub, follow_symlinks=False)
child = os.fork()
failed = False
half = len(entries) // 2  # in sorted halves: two processes in one folder slow each other
for n, rel in enumerate(entries):
    if (n < half) == (child == 0):
        continue
    try:
        if stat.S_ISDIR(os.lstat(source + b"/" + rel).st_mode):
            copy_folder(rel)
        else:
            os.link(source + b"/" + rel, target + b"/" + rel, follow_symlinks=False)
    except OSError:
        failed = True
if child == 0:
    os._exit(int(failed))
_, status = os.waitpid(child, 0)
code = int(failed or status != 0)
os.write(1, b"%d" % code)  # the copy is done: the build goes on without waiting for what
os.close(1)                # follows, flushing the 56,000 entries it made (0.1 s at N=300)
os.sync()                  # before the build's own sync, which then finds them written
sys.exit(code)
"""


def _copy_linked(source: Path, target: Path) -> subprocess.Popen[bytes]:
    """Start copying `source` into `target` as hard links, in other processes (exit
    status 0 when every file and folder was copied).

    The entries below the top level are shared out between two processes; the top-level
    folders are made here first, so neither has to."""
    entries: list[str] = []
    with os.scandir(source) as top:
        for entry in top:
            if entry.is_dir(follow_symlinks=False):
                with os.scandir(entry.path) as inner:
                    found = [f"{entry.name}/{e.name}" for e in inner]
                (target / entry.name).mkdir(exist_ok=True)
                entries.extend(found)
            else:
                entries.append(entry.name)
    entries.sort()
    # The list is a file, not a pipe: render workers forked meanwhile would hold a pipe's
    # write end open, and the copier would wait for its end (and this build for it)
    # forever. In the stage it is a stale file like any other, deleted before the swap.
    listing = target / COPY_LIST
    listing.write_bytes(b"\0".join(map(os.fsencode, entries)))
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _COPIER, str(source), str(target), str(listing)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _copied(copier: subprocess.Popen[bytes]) -> bool:
    """Wait until the copier says it is done (it then flushes what it made, and exits):
    True when it copied everything. A copier that died says nothing."""
    assert copier.stdout is not None
    return copier.stdout.read(1) == b"0"


COPY_LIST = ".site-builder-copy-list"
_FLUSHING: list[subprocess.Popen[bytes]] = []  # copiers still flushing after their commit
_O_NEW_FILE = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # no newline translation


class DirectWriter:
    """A render worker's way to write a new page into the stage of a first build itself
    (Stage.direct): inherited by the forked workers, each with its own folder sets."""

    def __init__(self, folder: str, twin: str) -> None:
        self.folder, self.twin = folder, twin
        self._folders: set[str] = set()
        self._twins: set[str] = set()

    def write(self, path: str, data: bytes) -> str | None:
        """Write page `path`; the file written, or None when something is in the way (the
        parent then stages the page, and reports what fails)."""
        target = f"{self.folder}/{path}"
        try:
            if not write_new(target, data, self._folders):
                return None
        except OSError:
            return None
        if self.twin and not link_new(target, f"{self.twin}/{path}", self._twins):
            self.twin = ""  # a partial twin will do (the next build lists it)
        return target


def write_new(target: str, data: bytes, folders: set[str]) -> bool:
    """Write `data` at `target`, where nothing should be yet, making its folder unless it is
    in `folders` (then added); False when something is in the way (a file where a folder
    goes, or the other way round). A render worker calls it too (Stage.direct)."""
    try:
        _make_folder(os.path.dirname(target), folders)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _O_NEW_FILE, 0o666)
    except OSError:  # e.g. a folder staged where this file goes
        return False
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return True


def link_new(source: str, target: str, folders: set[str]) -> bool:
    """Hard-link `source` at `target`, where nothing should be yet, making its folder
    unless it is in `folders` (then added); False when that fails (a render worker calls
    it too, for the stage's twin)."""
    try:
        _make_folder(os.path.dirname(target), folders)
        os.link(source, target)
    except OSError:
        return False
    return True


def _make_folder(folder: str, folders: set[str]) -> None:
    """Make `folder` (and its parents) unless `folders` has it; then it does."""
    if folder in folders:
        return
    try:
        os.mkdir(folder)
    except FileNotFoundError:  # (another process may make a parent meanwhile)
        os.makedirs(folder, exist_ok=True)
    except FileExistsError:
        if not os.path.isdir(folder):  # a file staged where a folder must go
            raise
    folders.add(folder)


SPARE_SUFFIX = ".spare"  # the output replaced last, the next build's starting point


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


def _spare(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}{SPARE_SUFFIX}"


def _files(root: str) -> tuple[dict[str, int], set[str]]:
    """Every file under `root` (relative path -> inode) and every folder, by scandir:
    the inode comes with the directory entry, no stat per file."""
    files: dict[str, int] = {}
    folders = {root}
    stack = [(root, "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    folders.add(entry.path)
                    stack.append((entry.path, prefix + entry.name + "/"))
                else:
                    files[prefix + entry.name] = entry.inode()
    return files, folders


_FIND = shutil.which("find") if sys.platform.startswith("linux") else None  # GNU -printf


def _parse_find(root: str, listing: bytes) -> tuple[dict[str, int], set[str]]:
    """What _files returns, from `find ROOT -mindepth 1 -printf '%y %i %P\\0'`."""
    files: dict[str, int] = {}
    folders = {root}
    for record in listing.split(b"\0"):
        if record:
            kind, inode, rel = record.split(b" ", 2)
            if kind == b"d":
                folders.add(f"{root}/{os.fsdecode(rel)}")
            else:
                files[os.fsdecode(rel)] = int(inode)
    return files, folders


def _remove_files_on_the_way(root: str, folder: str, existing: dict[str, int]) -> None:
    """Delete the files that stand where the folders of `folder` must go."""
    rel = os.path.relpath(folder, root).split(os.sep)
    for n in range(1, len(rel) + 1):
        path = "/".join(rel[:n])
        full = f"{root}/{path}"
        if os.path.lexists(full) and not os.path.isdir(full):
            os.unlink(full)
            existing.pop(path, None)


def _remove_empty_folders(root: str, folders: set[str]) -> None:
    """Remove the folders (and their parents) that deleting stale files left empty."""
    for rel in sorted(folders, key=lambda f: -f.count("/")):
        while rel:
            try:
                os.rmdir(f"{root}/{rel}")
            except OSError:  # not empty (or gone): its parents are not empty either
                break
            rel = os.path.dirname(rel)


def _replace_link(source: Path, target: Path) -> None:
    if target.exists():
        target.unlink()
    os.link(source, target)


def _same_bytes(path: str, data: bytes) -> bool:
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as f:
            return f.read() == data
    except OSError:
        return False


def _count_removed(out_dir: Path, paths: frozenset[str]) -> int:
    if not out_dir.is_dir():
        return 0
    return sum(1 for rel in _files(str(out_dir))[0] if rel not in paths)


def _fsync_tree(root: Path) -> None:
    """Flush the staged files so a power cut after the swap cannot expose empty files.

    SITE_BUILDER_NO_FSYNC=1 skips it: for benchmarks that measure the rest of the writer."""
    if os.environ.get("SITE_BUILDER_NO_FSYNC"):
        return
    with contextlib.suppress(AttributeError, OSError):  # not POSIX: nothing to flush
        os.sync()


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
