"""Helpers: the two processes a build forks to work while it parses, behind one object.

- warmup (warmup.py): reads pinyin, compiles the templates and makes the map shapes the
  render workers then inherit;
- lookahead (lookahead.py): on a rebuild, walks and stats content/ and output/ against the
  memos, and lists the stage's old tree.

Both are forked first, while the build is small and has no thread of its own, and both are
only ever a shortcut: a helper that cannot start, dies or is late costs time, never a
different page. Without them (one job, no fork) every answer below is None and the build
does the work itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from site_builder.core import pinyin
from site_builder.core.config import BuildOptions
from site_builder.load.sources import ContentListing
from site_builder.parallel.lookahead import Lookahead
from site_builder.parallel.warmup import Warmup
from site_builder.render.maps import Provider


class Helpers:
    """What the helper processes found, asked for when the build needs it."""

    def __init__(self, warm: Warmup | None = None) -> None:
        self.warm = warm
        self.ahead: Lookahead | None = None
        if warm is not None:
            pinyin.use_helper(warm.read_pinyin)

    @classmethod
    def start(cls, options: BuildOptions, forks: bool) -> Helpers:
        """Fork the warmup helper (first of all: see warmup.py), when `forks`."""
        return cls(Warmup.start(options) if forks else None)

    def look_ahead(self, options: BuildOptions, cache_dir: Path, old_tree: Path | None
                   ) -> None:
        """Fork the lookahead, before the build starts a thread of its own."""
        self.ahead = Lookahead.start(options.content_dir, cache_dir, options.out_dir,
                                     old_tree, options.jobs)

    def content(self) -> ContentListing | None:
        return self.ahead.content() if self.ahead is not None else None

    def stage_files(self) -> Any:
        return self.ahead.stage_files if self.ahead is not None else None

    def pages_check(self) -> Any:
        """For the page memo: which pages in output/ are not as stamped (lookahead.py)."""
        return self.ahead.pages if self.ahead is not None else None

    def index_check(self) -> Any:
        return self.ahead.index if self.ahead is not None else None

    def templates(self) -> dict[str, bytes] | None:
        return self.ahead.templates() if self.ahead is not None else None

    def prefetch_sort_keys(self, names: Iterable[str]) -> None:
        """The names a build sorts by, read by the warmup helper in one go."""
        if self.warm is not None:
            pinyin.prefetch_sort_keys(names)

    def prepare(self, lang: str, provider: Provider | None, center: Any, zoom: Any
                ) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        """Compiled templates and map shapes made by the warmup helper."""
        if self.warm is None:
            return None
        return self.warm.prepare(lang, provider, center, zoom)

    def close_lookahead(self) -> None:
        if self.ahead is not None:
            self.ahead.close()

    def close(self) -> None:
        self.close_lookahead()
        if self.warm is not None:
            pinyin.use_helper(None)
            self.warm.close()

