"""Session: every memo a build keeps, and where and when each is loaded and saved.

A build from the command line finds the memos of the last build in `.cache/` and saves its
own there once its output is committed; the preview keeps one Session in memory across its
rebuilds (nothing on disk); `check` starts from nothing and keeps nothing. build.py asks the
session for what a stage may reuse and hands it what the stage made. The few memos that are
objects of their stage (the Markdown memo, the search memo, the page store, the image cache)
are given their path under the session's folder and read it through core.cachefile, whose
every file carries the code's digest and its own checksum.

Two invariants live here:
- The memos of parsed and validated files describe the build the page memo describes,
  unless a build saved them and then failed or was stopped before its page memo (the state
  file says "open" until the build is done). Only then may a rebuild trust the pairing.
- One build of a site at a time (`.cache/lock`): a second build waits for the first, so
  their memos and outputs never interleave.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from site_builder.core import cachefile
from site_builder.core.diagnostics import Report

STATE_FILE = "memos.marshal"  # "done" once a build saved its page memo, "open" before
STATE_VERSION = 1
LOCK_FILE = "lock"
LOCK_WAIT = 600.0  # seconds a second build waits for the first before giving up


class Session:
    """The memos of one site's builds (see the module's docstring)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder  # .cache/, or None: memos live in memory only
        # Kept in memory between the builds of one preview session; loaded from `folder`
        # by the first build of a command-line run.
        self.docs: dict[str, Any] = {}  # content file -> (stamp, parsed document)
        self.validated: dict[int, Any] = {}  # id(document) -> (document, its validation)
        self.markdown: Any = {}  # Markdown HTML by key (render.markdown.MarkdownMemo)
        self.templates: Any = None  # compiled templates (render.pages.TemplateCache)
        self.pages: Any = None  # the page memo (incremental.pages.PageStore)
        self.maps: dict[str, Any] = {}  # folium map shapes by their inputs
        self.related: dict[str, Any] = {}  # related stories, by their links
        self._opened = False
        self._in_step = False

    @classmethod
    def on_disk(cls, site_dir: Path) -> Session:
        return cls(site_dir / ".cache")

    @property
    def persistent(self) -> bool:
        return self.folder is not None

    def path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / name

    # ---- reading and writing memo files -------------------------------------------------

    def load(self, name: str, header: tuple[Any, ...]) -> Any:
        """The memo `name` saved under `header` by this version of the code, or None
        (none, another version, damaged: cachefile checks its digest)."""
        return cachefile.load(self.path(name), header) if self.folder is not None else None

    def save(self, name: str, header: tuple[Any, ...], value: Any) -> None:
        if self.folder is not None:
            self.opening()
            cachefile.save(self.path(name), header, value)

    # ---- the state protocol ------------------------------------------------------------

    def begin(self) -> None:
        """A build starts: was the last one done (its memos agree with each other)?"""
        self._opened = False
        self._in_step = self.load(STATE_FILE, (STATE_VERSION,)) == "done"

    @property
    def in_step(self) -> bool:
        return self._in_step

    def opening(self) -> None:
        """Before the first memo of a build is saved: until done(), they may disagree."""
        if self.folder is not None and not self._opened:
            self._opened = True
            cachefile.save(self.path(STATE_FILE), (STATE_VERSION,), "open")

    def done(self) -> None:
        """The page memo now matches the others."""
        if self.folder is not None:
            cachefile.save(self.path(STATE_FILE), (STATE_VERSION,), "done")

    # ---- one build at a time -------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, report: Report, wait: float = LOCK_WAIT,
             waiting: Callable[[int | None], None] | None = None) -> Iterator[bool]:
        """Hold `.cache/lock` for a build; yields False (with an error in `report`) when
        another build kept it for `wait` seconds. The operating system releases a lock whose
        holder died, so a killed build never leaves a stale one; the PID inside is only for
        the message."""
        if self.folder is None:
            yield True
            return
        fd = _open_lock(self.folder)
        if fd is None:  # a read-only or odd file system: nothing to protect there
            yield True
            return
        try:
            if not _acquire(fd, wait, waiting):
                report.emit("build-locked", ".cache/lock", pid=str(_holder(fd) or "?"),
                            seconds=str(int(wait)))
                yield False
                return
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            yield True
        finally:
            os.close(fd)  # closing releases the lock


def _open_lock(folder: Path) -> int | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                       0o644)
    except OSError:
        return None


def _acquire(fd: int, wait: float, waiting: Callable[[int | None], None] | None) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows: builds are not serialised there
        return True
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                return True  # locks not supported here (some network drives)
        if time.monotonic() >= deadline:
            return False
        if not told and waiting is not None:
            waiting(_holder(fd))
            told = True
        time.sleep(0.05)


def _holder(fd: int) -> int | None:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except OSError:
        return None
