"""Watch: notice saved files, ignore editor noise, and turn a burst of events into one rebuild.

`classify_change` is a pure function (table-tested). `Debouncer` coalesces events until the
folder has been quiet for a moment, so write-temp-then-rename saves, swap files and a git
checkout of many files each give one rebuild. `start_observer` uses native file events and
falls back to polling where they do not work.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
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
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from site_builder.load.sources import is_ignored

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
    """Folders to watch as (path, recursive): the site's folders that exist, and the site."""
    # The site folder itself, not recursively: notices templates/ or assets/ being created
    # without descending into output/ or .git/.
    found = [(site_dir / name, True) for name in WATCHED_FOLDERS if (site_dir / name).is_dir()]
    return [*found, (site_dir, False)]


def start_observer(site_dir: Path, handler: FileSystemEventHandler, *,
                   force_polling: bool | None = None,
                   native: Callable[[], BaseObserver] = Observer,
                   log: Callable[[str], None] = print) -> BaseObserver:
    """Start watching `site_dir` with native events, or by polling when those fail."""
    if force_polling is None:
        force_polling = os.environ.get(POLL_ENV, "") not in ("", "0")
    if not force_polling:
        try:
            return _start(native(), site_dir, handler)
        except Exception as exc:  # any failure: inotify limits, odd mounts
            log(f"无法使用系统文件通知（{exc}），改为每秒检查一次文件 / "
                f"native file events failed, polling instead")
    return _start(PollingObserver(), site_dir, handler)


def _start(observer: BaseObserver, site_dir: Path, handler: FileSystemEventHandler
           ) -> BaseObserver:
    try:
        schedule(observer, site_dir, handler)
        observer.start()
    except BaseException:
        _stop_quietly(observer)
        raise
    return observer


def schedule(observer: BaseObserver, site_dir: Path, handler: FileSystemEventHandler,
             already: Iterable[Path] = ()) -> list[Path]:
    """Schedule a watch on each watched folder not in `already`; return those added."""
    added = []
    for path, recursive in watched_paths(site_dir):
        if path not in already:
            observer.schedule(handler, str(path), recursive=recursive,
                              event_filter=list(WATCHED_EVENTS))
            added.append(path)
    return added


def _stop_quietly(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=5)
    except Exception as exc:  # a half-started observer may fail to stop
        print(f"site-builder: {exc}", file=sys.stderr)
