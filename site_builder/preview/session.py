"""A running preview: the server, the watcher and the rebuild loop, started and stopped together.

    save ─► watch (classify, debounce) ─► re-arm watches ─► LivePreview.rebuild ─► tabs reload
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.preview.hosts import HostPolicy, browser_host, is_loopback
from site_builder.preview.http import make_server
from site_builder.preview.state import (
    LONG_POLL_SECONDS,
    Builder,
    LivePreview,
    Log,
    SiteBuilder,
    content_missing,
    print_line,
)
from site_builder.preview.watch import DEBOUNCE_SECONDS, ChangeHandler, Debouncer, Watcher
from site_builder.workbench.app import Workbench
from site_builder.workbench.guard import Guard


@dataclass(frozen=True)
class Tuning:
    """How a preview watches and answers (the tests shorten the waits)."""

    force_polling: bool | None = None  # None: SITE_BUILDER_POLL decides
    debounce: float = DEBOUNCE_SECONDS
    long_poll: float = LONG_POLL_SECONDS
    allow_hosts: Iterable[str] = ()  # --allow-host
    edit_token: str | None = None  # --edit-token: editing on a preview open to the network


class PreviewSession:
    """A running preview: server, watcher and rebuild loop, started and stopped together."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                 builder: Builder | None = None, log: Log = print_line,
                 **tuning: Any) -> None:
        """`tuning`: the fields of Tuning."""
        tune = Tuning(**tuning)
        force_polling, debounce = tune.force_polling, tune.debounce
        long_poll, allow_hosts = tune.long_poll, tune.allow_hosts
        self.guard = Guard.for_serve(is_loopback(host), tune.edit_token)
        # absolute(), not resolve(): watchdog reports paths under the folder as given.
        self.site_dir = site_dir.absolute()
        self.log = log
        self.server = make_server(host, port)
        port = self.server.server_address[1]
        self.url = f"http://{browser_host(host)}:{port}/"
        self.server.hosts = HostPolicy.for_server(host, port, allow_hosts)
        self.server.url = self.url
        builder = builder or SiteBuilder(self.site_dir, self.url)
        self.preview = LivePreview(builder, log, long_poll)
        self.server.preview = self.preview
        self.server.workbench = Workbench(self.site_dir, self.guard, saved=self._saved,
                                          known=lambda: self.preview.snapshot.files, log=log)
        self.debouncer = Debouncer(self._rebuild, delay=debounce)
        self.handler = ChangeHandler(self.site_dir, self.debouncer.add)
        self.watcher = Watcher(self.site_dir, self.handler, force_polling=force_polling,
                               log=log)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Watch, build once, and start answering requests in a background thread."""
        # Watch before the first build, so a save during it is not lost.
        self.watcher.start()
        self._rebuild(frozenset())
        self.debouncer.start()
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name="site-builder-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and serving; safe to call twice."""
        self.debouncer.stop()
        self.watcher.stop()
        self.preview.close()
        if self._thread is not None:
            self.server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self.server.server_close()

    def wait(self) -> None:
        """Block until the server stops (Ctrl+C raises KeyboardInterrupt here)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)  # a timed join lets Ctrl+C through everywhere

    def __enter__(self) -> PreviewSession:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _rebuild(self, changed: frozenset[str]) -> None:
        # Re-arm first: a folder deleted and made again (or templates/ made since we
        # started) is watched before the build reads it, so no later save is missed.
        self.watcher.rearm()
        changed_files = sorted(self._relative(p) for p in changed)
        if not (self.site_dir / "content").is_dir():
            lang = self.preview.snapshot.lang  # site.yaml went with content/: keep its words
            self.preview.rebuild(changed_files, lambda: content_missing(lang))
            return
        self.preview.rebuild(changed_files)

    def _saved(self, rels: Iterable[str]) -> None:
        """Called after the workbench wrote files: return once the preview shows them."""
        rels = list(rels)
        if not rels:
            return  # nothing written: no build to wait for
        started = self.preview.builds_started()
        for rel in rels:  # the watcher sees them too; the same burst takes both
            self.debouncer.add(str(self.site_dir / "content" / rel))
        self.preview.wait_for_build_after(started, timeout=30)

    def _relative(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.site_dir).as_posix()
        except ValueError:
            return path
