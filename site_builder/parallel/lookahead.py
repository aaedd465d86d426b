"""Stamp checks done ahead: a forked process makes the system calls a rebuild waits on.

A rebuild of 18,000 pages checks that every file it keeps is the one it wrote (size, time
and inode): 18,300 content files, 18,600 pages of output/ and 20,000 files of its search
index. It also lists the 56,000 entries of the old tree its stage starts from. Those
calls and that parsing took 0.3 s of its one busy core (at N=300), while the other core
was idle. So a rebuild with two jobs forks a process first. That process walks content/,
reads the same memos, stats the same files, lists the stage and sends back the results:
the content files with their stamps, only the output files that do not match, and the
stage's listing, each as one marshal value.

Nothing is taken on trust: a memo's result counts only if the memo file it read is the
one this process read (same size, time and inode). A dead or slow helper means the build
makes the checks itself, as it did without one.

It also compiles the theme's templates (as warmup.py does for a clean build): the page a
rebuild renders would otherwise compile its template there (0.04 s for a story page).
"""

from __future__ import annotations

import marshal
import os
import signal
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from site_builder.core.cachefile import Stamp, file_stamp
from site_builder.incremental.pages import MEMO_FILE, PageMemo
from site_builder.load.sources import ContentListing, list_content
from site_builder.parallel.warmup import compile_theme, guess_lang, read_exactly, stop_process
from site_builder.search.update import SEARCH_MEMO_FILE, SearchMemo

_HEADER = struct.Struct("<Q")
_WAIT = 20.0  # seconds: past this, the build checks for itself


class Lookahead:
    """The build's side: each result is read once, when first asked for."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self._fd = pid, fd
        self._owner = os.getpid()  # render workers inherit this object: never theirs
        self._found: dict[str, Any] = {}
        self.alive = True

    @classmethod
    def start(cls, content_dir: Path, cache_dir: Path, out_dir: Path, stage: Path | None,
              jobs: int) -> Lookahead | None:
        """Fork the checker (before the build starts threads), or None where it would
        not help: one job, no fork, no page memo yet (a first build checks nothing)."""
        if (jobs < 2 or not hasattr(os, "fork") or os.environ.get("SITE_BUILDER_NO_LOOKAHEAD")
                or not (cache_dir / MEMO_FILE).is_file()):
            return None
        try:
            read, write = os.pipe()
        except OSError:
            return None
        try:
            pid = os.fork()
        except OSError:
            os.close(read)
            os.close(write)
            return None
        if pid == 0:
            code = 1
            try:
                os.close(read)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                for name, value in _checks(content_dir, cache_dir, out_dir.absolute(), stage):
                    data = marshal.dumps((name, value))
                    _write_all(write, _HEADER.pack(len(data)) + data)
                code = 0
            finally:
                os._exit(code)  # never the parent's cleanup, nor its buffered output
        os.close(write)
        return cls(pid, read)

    def _get(self, name: str) -> Any:
        """The result called `name`, or None (and no more results) when there is none."""
        if name in self._found:
            return self._found.pop(name)
        while self.alive and os.getpid() == self._owner:
            try:
                head = read_exactly(self._fd, _HEADER.size, _WAIT)
                got, value = marshal.loads(read_exactly(self._fd, _HEADER.unpack(head)[0],
                                                        _WAIT))
            except (OSError, EOFError, ValueError, TypeError):
                self.close()
                break
            if got == name:
                return value
            self._found[got] = value
        return None

    def content(self) -> ContentListing | None:
        """The files of content/ with their stamps, as sources.list_content gives them."""
        found = self._get("content")
        if isinstance(found, list) and all(
                type(f) is tuple and len(f) == 4 and type(f[0]) is str and type(f[1]) is str
                for f in found):
            return found
        return None

    def pages(self, memo_file: Stamp | None) -> set[str] | None:
        """The pages of the page memo whose files in output/ are not as it stamped them;
        None when unknown, or when the checker read another memo file than `memo_file`."""
        return self._mismatched("pages", memo_file)

    def index(self, memo_file: Stamp | None) -> set[str] | None:
        """The same for the files of the search index (the search memo's stamps)."""
        return self._mismatched("index", memo_file)

    def _mismatched(self, name: str, memo_file: Stamp | None) -> set[str] | None:
        found = self._get(name)
        if (not isinstance(found, tuple) or len(found) != 2 or memo_file is None
                or found[0] != memo_file or not isinstance(found[1], set)):
            return None
        return found[1]

    def templates(self) -> dict[str, bytes] | None:
        """The theme compiled for the language site.yaml most likely names (a memo checked
        by each template's source and language: a wrong guess is only compiled again)."""
        found = self._get("templates")
        if isinstance(found, dict) and all(
                type(k) is str and type(v) is bytes for k, v in found.items()):
            return found
        return None

    def stage_files(self) -> tuple[dict[str, int], set[str]] | None:
        """The stage's files (relative path -> inode) and folders, as writer._files gives."""
        found = self._get("stage")
        if (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], dict)
                and isinstance(found[1], set)):
            return found
        return None

    def close(self) -> None:
        if not self.alive or os.getpid() != self._owner:
            return
        self.alive = False
        stop_process(self.pid, self._fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _checks(content_dir: Path, cache_dir: Path, out_dir: Path, stage: Path | None
            ) -> Iterator[tuple[str, Any]]:
    """In the checker: each result as soon as it is made, in the order the build needs
    them (content first; pages are fetched from output/ before the index is updated and
    the stage is filled)."""
    from site_builder.write.files import _files

    yield "content", list_content(content_dir)
    out = str(out_dir)
    memo = PageMemo.load(cache_dir / MEMO_FILE)
    stamp = memo.loaded_from
    # As DiskStore: a memo of another output folder is not used (nothing to check).
    yield "pages", (stamp, {file for file, e in memo.entries.items()
                            if e.stat is not None and file_stamp(f"{out}/{file}") != e.stat}
                    ) if memo.setting.startswith(f"{out}|") else None
    del memo
    try:
        compiled = compile_theme(content_dir.parent, guess_lang(content_dir))
    except Exception:  # a broken theme is the build's to report
        compiled = {}
    yield "templates", compiled
    if stage is not None:
        yield "stage", _files(str(stage))
    search = SearchMemo(cache_dir / SEARCH_MEMO_FILE, out_dir)
    search.load()
    stamp = search.loaded_from
    yield "index", (stamp, {path for path, s in search.files.items()
                            if file_stamp(f"{out}/{path}") != s})
    del search
