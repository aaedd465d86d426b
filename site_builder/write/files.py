"""Files of the stage: written new (never in place: the stage shares inodes with output/),
linked, listed, compared and flushed."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
from pathlib import Path

_O_NEW_FILE = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)  # no newline translation


def write_new(target: str, data: bytes, folders: set[str]) -> bool:
    """Write `data` at `target`, where nothing should be yet, making its folder unless it is
    in `folders` (then added); False when something is in the way (a file where a folder
    goes, or the other way round)."""
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


def _empty(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return next(entries, None) is None


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
