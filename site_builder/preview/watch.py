"""Watch: notice saved files, ignore editor noise, and turn a burst of events into one rebuild.

`classify_change` is a pure function (table-tested). `Debouncer` coalesces events until the
folder has been quiet for a moment, so write-temp-then-rename saves, swap files and a git
checkout of many files each give one rebuild. `Watcher` uses native file events, falls back
to polling where they do not work, and watches a folder again after it was deleted or
replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path, PurePath
from types import MappingProxyType

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from site_builder.load.files import is_ignored

# Quiet time before a rebuild: editors finish a save (temp file, rename, delete backup)
# within a few milliseconds; a git checkout within tens. Longer only delays the reload.
DEBOUNCE_SECONDS = 0.05
# A stream of events that never pauses (a slow copy of a big folder) still rebuilds this often.
MAX_WAIT_SECONDS = 2.0
POLL_ENV = "SITE_BUILDER_POLL"

# Only events that can change what a build reads. Opening or reading a file (which the
# build itself does) must never count, or every rebuild would trigger the next one.
WATCHED_EVENTS: tuple[type[FileSystemEvent], ...] = (
    FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent,
    DirCreatedEvent, DirDeletedEvent, DirMovedEvent,
)

# Temporary names some editors use that is_ignored does not know: JetBrains safe-write,
# Kate swap files, partial downloads.
_TEMP_SUFFIXES = ("___jb_tmp___", "___jb_old___", ".kate-swp", ".part")


class ChangeKind(StrEnum):
    """What a changed file is to the build."""

    CONTENT = "content"
    TEMPLATE = "template"
    ASSET = "asset"
    CONFIG = "config"


_FOLDER_KINDS = MappingProxyType({"content": ChangeKind.CONTENT,
                                  "templates": ChangeKind.TEMPLATE,
                                  "assets": ChangeKind.ASSET})
# site.yaml lives in content/; one beside content/ counts too, should a site keep it there.
_CONFIG_PATHS = frozenset({("content", "site.yaml"), ("content", "site.yml"),
                           ("site.yaml",), ("site.yml",)})
WATCHED_FOLDERS = tuple(_FOLDER_KINDS)


def is_temp_name(name: str) -> bool:
    """Say whether `name` is a hidden file or an editor's temporary file."""
    # Vim probes whether it may write a folder by creating '4913' (or 5036, 5159, ...).
    return is_ignored(name) or name.endswith(_TEMP_SUFFIXES) or name.isdigit()


def classify_change(path: str | PurePath, site_dir: str | PurePath) -> ChangeKind | None:
    """Classify a changed path of the site; None when a rebuild need not happen."""
    rel = _relative(PurePath(path), PurePath(site_dir))
    if rel is None or not rel.parts or any(is_temp_name(p) for p in rel.parts):
        return None
    if rel.parts in _CONFIG_PATHS:
        return ChangeKind.CONFIG
    return _FOLDER_KINDS.get(rel.parts[0])


def _relative(path: PurePath, site_dir: PurePath) -> PurePath | None:
    """Return `path` relative to `site_dir`, comparing resolved paths if symlinks differ."""
    if not path.is_absolute():
        return path
    try:
        return path.relative_to(site_dir)
    except ValueError:
        pass
    try:
        return Path(path).resolve().relative_to(Path(site_dir).resolve())
    except (ValueError, OSError):
        return None


class Debouncer:
    """Collect items and hand them to `callback` once no new item came for `delay` seconds."""

    def __init__(self, callback: Callable[[frozenset[str]], None], *,
                 delay: float = DEBOUNCE_SECONDS, max_wait: float = MAX_WAIT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.callback = callback
        self.delay = delay
        self.max_wait = max_wait
        self.clock = clock
        self._pending: set[str] = set()
        self._first = self._last = 0.0
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def add(self, item: str) -> None:
        """Record one event; the burst it belongs to is flushed later, once."""
        with self._cond:
            now = self.clock()
            if not self._pending:
                self._first = now
            self._pending.add(item)
            self._last = now
            self._cond.notify_all()

    def wait_time(self) -> float | None:
        """Seconds until the pending burst is due; None when nothing is pending."""
        with self._cond:
            return self._wait_time_locked()

    def _wait_time_locked(self) -> float | None:
        if not self._pending:
            return None
        now = self.clock()
        return max(0.0, min(self._last + self.delay, self._first + self.max_wait) - now)

    def take_due(self) -> frozenset[str] | None:
        """Return and forget the pending burst if it is due, else None."""
        with self._cond:
            if self._wait_time_locked() != 0.0:
                return None
            batch = frozenset(self._pending)
            self._pending.clear()
            return batch

    def flush_due(self) -> bool:
        """Call the callback with the pending burst if it is due; say whether it ran."""
        batch = self.take_due()
        if batch is None:
            return False
        self.callback(batch)
        return True

    # ---- background thread ------------------------------------------------------------

    def start(self) -> None:
        """Run the callback from a background thread as bursts come due."""
        self._thread = threading.Thread(target=self._loop, name="site-builder-debounce",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the background thread; a burst still pending is dropped."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (wait := self._wait_time_locked()) != 0.0:
                    self._cond.wait(wait)
                if self._stopped:
                    return
            # The callback runs outside the lock: events that arrive meanwhile form the
            # next burst, so a change saved during a rebuild is never lost.
            self.flush_due()


class ChangeHandler(FileSystemEventHandler):
    """Pass every relevant changed path of the site to `on_change`."""

    def __init__(self, site_dir: Path, on_change: Callable[[str], None]) -> None:
        super().__init__()
        self.site_dir = site_dir
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not isinstance(event, WATCHED_EVENTS):
            return
        for raw in (event.src_path, event.dest_path):
            path = os.fsdecode(raw) if raw else ""
            if path and classify_change(path, self.site_dir) is not None:
                self.on_change(path)


def watched_paths(site_dir: Path) -> list[tuple[Path, bool]]:
    """Folders to watch as (path, recursive): the site's folders, whether there or not, and
    the site folder itself."""
    # The site folder itself, not recursively: notices content/, templates/ or assets/
    # (and a site.yaml beside content/) being created, deleted or renamed, without
    # descending into output/ or .git/.
    return [*((site_dir / name, True) for name in WATCHED_FOLDERS), (site_dir, False)]


Identity = tuple[int, int]


def folder_identity(path: Path) -> Identity | None:
    """(device, inode) of a folder; None when there is no folder there."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


class Watcher:
    """The observer and one watch per watched folder, re-armed when a folder is replaced.

    watchdog stops watching a folder that is deleted (native events and polling alike) and
    never resumes, and a native watch follows a folder renamed away. So `rearm` runs
    before every rebuild: it drops the watches of folders that went away, replaces dead
    watches and watches on folders that are no longer the one at their path, and adds
    folders that appeared. A watch armed before the build reads the folder loses nothing.
    """

    def __init__(self, site_dir: Path, handler: FileSystemEventHandler, *,
                 force_polling: bool | None = None,
                 native: Callable[[], BaseObserver] = Observer,
                 log: Callable[[str], None] = print) -> None:
        self.site_dir = site_dir
        self.handler = handler
        self.force_polling = force_polling
        self.native = native
        self.log = log
        self.observer: BaseObserver | None = None
        self._armed: dict[Path, tuple[ObservedWatch, Identity]] = {}
        self._lock = threading.Lock()

    @property
    def watched(self) -> list[Path]:
        """The folders watched now."""
        with self._lock:
            return list(self._armed)

    def start(self) -> None:
        """Start watching with native events, or by polling when those fail."""
        polling = self.force_polling
        if polling is None:
            polling = os.environ.get(POLL_ENV, "") not in ("", "0")
        if not polling:
            try:
                self._start(self.native())
                return
            except Exception as exc:  # any failure: inotify limits, odd mounts
                self.log(f"无法使用系统文件通知（{exc}），改为每秒检查一次文件 / "
                         f"native file events failed, polling instead")
        self._start(PollingObserver())

    def _start(self, observer: BaseObserver) -> None:
        self.observer = observer
        try:
            # Before start(): a folder that cannot be watched raises here, or from start().
            self._arm(observer, strict=True)
            observer.start()
        except BaseException:
            self.observer = None
            self._armed.clear()
            _stop_quietly(observer)
            raise

    def rearm(self) -> list[Path]:
        """Watch each watched folder as it is now; return the folders newly watched."""
        observer = self.observer
        return [] if observer is None else self._arm(observer, strict=False)

    def _arm(self, observer: BaseObserver, *, strict: bool) -> list[Path]:
        added: list[Path] = []
        with self._lock:
            dead = _dead_watches(observer)
            for path, recursive in watched_paths(self.site_dir):
                identity = folder_identity(path)
                armed = self._armed.get(path)
                if armed is not None and (armed[1] != identity or armed[0] in dead):
                    del self._armed[path]
                    with contextlib.suppress(KeyError):
                        observer.unschedule(armed[0])
                if identity is None or path in self._armed:
                    continue
                try:
                    watch = observer.schedule(self.handler, str(path), recursive=recursive,
                                              event_filter=list(WATCHED_EVENTS))
                except Exception as exc:  # gone again already, or out of watches
                    if strict:
                        raise
                    self.log(f"无法监视 {path}（{exc}）/ cannot watch {path}")
                    continue
                self._armed[path] = (watch, identity)
                added.append(path)
        return added

    def stop(self) -> None:
        """Stop watching; safe to call twice."""
        with self._lock:  # not while a re-arm schedules on this observer
            observer, self.observer = self.observer, None
            self._armed.clear()
        if observer is not None:
            _stop_quietly(observer)


def _dead_watches(observer: BaseObserver) -> set[ObservedWatch]:
    """The watches whose emitter stopped by itself (its folder went away)."""
    if not observer.is_alive():
        return set()  # not started yet: no emitter runs, none has died
    return {e.watch for e in list(observer.emitters)
            if e.stopped_event.is_set() or not e.is_alive()}


def _stop_quietly(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=5)
    except Exception as exc:  # a half-started observer may fail to stop
        print(f"site-builder: {exc}", file=sys.stderr)
