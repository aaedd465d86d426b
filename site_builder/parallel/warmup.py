"""A helper process that makes, while the build parses, what would otherwise hold it up.

A clean build of a small site spent a third of its time on fixed costs: importing pypinyin
(0.12 s, in the build's own process, for the sort keys), and in every render worker
importing folium (0.2 s) for the map shapes and compiling the theme's templates (0.1 s).
The second core is idle while the build parses and links, so a process forked at the
start does those there: it reads pinyin for the build on request, and compiles the
templates and makes the map shapes the render workers then inherit.

Everything it hands back is a memo entry checked by its key: a sort key by its name, a
compiled template by its source (and language), a map shape by all of its inputs. A wrong
guess or a helper that died costs time, never a different page.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import threading
from pathlib import Path
from typing import Any

from site_builder.core import cachefile
from site_builder.core import pinyin as terms
from site_builder.core.config import BuildOptions
from site_builder.render.maps import Provider
from site_builder.render.mapshapes import MAP_MEMO_FILE, MAP_MEMO_VERSION, MapMaker

_HEADER = struct.Struct("<Q")
_WAIT = 30.0  # seconds: a helper that takes longer than this is not helping


def _send(fd: int, value: Any, timeout: float | None = None) -> None:
    """Write `value` to `fd`; with a `timeout` (the build's side, its end non-blocking),
    EOFError when the other side takes no more for that long (a stopped helper)."""
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(_HEADER.pack(len(data)) + data)
    while view:
        if timeout is not None and not select.select([], [fd], [], timeout)[1]:
            raise EOFError("timed out")
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:  # the pipe filled up since select: wait again
            continue


def _receive(fd: int, timeout: float | None) -> Any:
    """The next value from `fd`; EOFError when the other side is gone or took too long."""
    head = read_exactly(fd, _HEADER.size, timeout)
    return pickle.loads(read_exactly(fd, _HEADER.unpack(head)[0], timeout))


def read_exactly(fd: int, size: int, timeout: float | None) -> bytes:
    """`size` bytes from `fd`; EOFError when it closes first or is silent for `timeout`."""
    chunks, left = [], size
    while left:
        if timeout is not None and not select.select([fd], [], [], timeout)[0]:
            raise EOFError("timed out")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


class Warmup:
    """The build's side of the helper."""

    def __init__(self, pid: int, to_helper: int, from_helper: int) -> None:
        self.pid = pid
        self._out, self._in = to_helper, from_helper
        self._owner = os.getpid()  # forked workers inherit this object: never theirs
        self.alive = True

    @classmethod
    def start(cls, options: BuildOptions) -> Warmup | None:
        """Fork the helper, or None where it cannot help: one job, no fork, or a warm
        .cache/. `run()` forks it first, before the build starts threads of its own;
        another thread of the program (a test's browser driver) is no obstacle: CPython
        holds the import lock across a fork and the standard library renews its own
        locks in the child, and the helper takes no other lock such a thread could hold
        (it neither prints nor logs), as for the render workers, forked the same way."""
        if (options.jobs < 2 or not hasattr(os, "fork")
                or os.environ.get("SITE_BUILDER_NO_WARMUP")):
            return None
        # .cache/ has the sort keys and map shapes of the last build: what is left is a
        # rebuild's two or three templates, quicker compiled where they are used than
        # beside a parse that the helper would slow down (0.04 s at N=300).
        cache = options.site_dir / ".cache"
        if (cache / terms.SORT_KEY_MEMO_FILE).exists() and (cache / MAP_MEMO_FILE).exists():
            return None
        fds: list[int] = []
        try:
            down_r, down_w = os.pipe()
            fds += (down_r, down_w)
            up_r, up_w = os.pipe()
            fds += (up_r, up_w)
            pid = os.fork()
        except OSError:  # no pipes or processes left: the build does it all itself
            for fd in fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
            return None
        if pid == 0:  # the helper
            code = 1
            try:
                os.close(down_w)
                os.close(up_r)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _Helper(options, down_r, up_w).run()
                code = 0
            finally:
                os._exit(code)  # never the parent's cleanup, nor its buffered output
        os.close(down_r)
        os.close(up_w)
        os.set_blocking(down_w, False)  # a stopped helper must not stop the build (_send)
        return cls(pid, down_w, up_r)

    def _ask(self, request: tuple[Any, ...]) -> Any:
        """The helper's answer, or None (and no more questions) when it has none."""
        if not self.alive or os.getpid() != self._owner:
            return None
        try:
            _send(self._out, request, _WAIT)
            answer = _receive(self._in, _WAIT)
        except (OSError, EOFError, ValueError, pickle.UnpicklingError):
            self.close()
            return None
        return answer

    def read_pinyin(self, texts: list[str]) -> list[list[str]] | None:
        """What terms.pinyin() gives for each text (the helper has pypinyin loaded)."""
        found = self._ask(("pinyin", texts))
        if (isinstance(found, list) and len(found) == len(texts)
                and all(isinstance(s, list) and all(isinstance(w, str) for w in s)
                        for s in found)):
            return found
        return None

    def prepare(self, lang: str, provider: Provider | None, center: Any, zoom: Any
                ) -> tuple[dict[str, bytes], dict[str, Any]] | None:
        """The theme's templates compiled for `lang`, and the map shapes of the pages
        with a map for `provider` (by the keys MapMaker gives them)."""
        found = self._ask(("prepare", lang, provider, center, zoom))
        if not (isinstance(found, tuple) and len(found) == 2
                and all(isinstance(part, dict) for part in found)):
            return None
        templates, shapes = found
        if not all(isinstance(k, str) and isinstance(v, bytes) for k, v in templates.items()):
            return None
        if not all(isinstance(k, str) and isinstance(v, tuple) and len(v) == 4
                   and all(isinstance(t, str) for t in v) for k, v in shapes.items()):
            return None
        return templates, shapes

    def close(self) -> None:
        if not self.alive or os.getpid() != self._owner:
            return
        self.alive = False
        stop_process(self.pid, self._out, self._in)


class _Helper:
    """The helper's side: one thread answers the build, another works ahead meanwhile."""

    def __init__(self, options: BuildOptions, inbox: int, outbox: int) -> None:
        self.options = options
        self._in, self._out = inbox, outbox
        cache = options.site_dir / ".cache"
        self._shapes = cachefile.load(cache / MAP_MEMO_FILE, (MAP_MEMO_VERSION,)) or {}
        self._cold_pinyin = not (cache / terms.SORT_KEY_MEMO_FILE).exists()
        self._templates: dict[str, bytes] = {}
        self._compiled_for = ""
        self._ahead: threading.Thread | None = None

    def run(self) -> None:
        # pypinyin first: the build asks for sort keys as soon as it has parsed. Then the
        # answers come from this thread, while another imports folium (when no map shape
        # is known) and compiles the templates for the language site.yaml most likely
        # names. A short switch interval: a question waits for the other thread's work
        # less than a millisecond.
        if self._cold_pinyin:
            terms.pinyin("预热")
        sys.setswitchinterval(0.0005)
        self._ahead = threading.Thread(target=self._work_ahead, daemon=True)
        self._ahead.start()
        while True:
            try:
                request = _receive(self._in, None)
            except (OSError, EOFError):
                return  # the build is done (or gone)
            self._answer(request)

    def _work_ahead(self) -> None:
        try:
            if not self._shapes:
                from site_builder.render import foliummap  # noqa: F401  (folium, branca, numpy, requests)
            self._compile(guess_lang(self.options.content_dir))
        except Exception:  # a broken theme is the build's to report
            self._templates = {}

    def _answer(self, request: tuple[Any, ...]) -> None:
        kind = request[0]
        answer: Any = None
        try:
            if kind == "pinyin":
                answer = [terms.pinyin(text) for text in request[1]]
            elif kind == "prepare":
                if self._ahead is not None:
                    self._ahead.join()
                answer = self._prepare(*request[1:])
        except Exception:
            answer = None
        _send(self._out, answer)

    def _compile(self, lang: str) -> None:
        self._templates, self._compiled_for = compile_theme(self.options.site_dir, lang), lang

    def _prepare(self, lang: str, provider: Provider | None, center: Any, zoom: Any
                 ) -> tuple[dict[str, bytes], dict[str, Any]]:
        if lang != self._compiled_for:
            self._compile(lang)
        return self._templates, self._make_shapes(provider, center, zoom) if provider else {}

    def _make_shapes(self, provider: Provider, center: Any, zoom: Any) -> dict[str, Any]:
        """The shapes of the map page, an alliance's map and a member's or station's (the
        views render.py asks for), keyed and made by MapMaker as a render worker would."""
        from site_builder.core.diagnostics import Report
        from site_builder.render.pages import relative_root
        from site_builder.render.theme import (
            asset_outputs,
            asset_url,
            find_theme,
            vendor_outputs,
            version_of,
        )

        assets = asset_outputs(find_theme(self.options.site_dir)) + vendor_outputs(Report())
        versions = {o.path: version_of(o.data) for o in assets}
        maker = MapMaker(provider, dict(self._shapes))
        views = (("map/", "map-large", center, zoom), ("alliances/a/", "map-medium", None, None),
                 ("stations/s/", "map-small", None, None))
        for path, size, at, level in views:
            root = relative_root(path)
            maker.build("m", [], lambda name, root=root: asset_url(versions, name, root), {},
                        at, level, size)
        return maker.added


def stop_process(pid: int, *fds: int) -> None:
    """Close our ends of its pipes, kill a forked helper and collect its exit (no zombie)."""
    for fd in fds:
        with contextlib.suppress(OSError):
            os.close(fd)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.waitpid(pid, 0)


def compile_theme(site_dir: Path, lang: str) -> dict[str, bytes]:
    """Every template of the site's theme compiled for `lang`, as TemplateCache keeps it."""
    from site_builder.render.theme import TemplateCache, find_theme, theme_environment

    cache = TemplateCache()
    env = theme_environment(find_theme(site_dir), lang, cache)
    for name in env.list_templates():
        # A broken template the build may never use, or reports itself.
        with contextlib.suppress(Exception):
            env.get_template(name)
    return cache.compiled()


def guess_lang(content_dir: Path) -> str:
    """The language the templates are compiled for, from site.yaml at a glance (the
    build's own reading decides; a wrong guess only means compiling them again)."""
    try:
        text = (content_dir / "site.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "zh"
    for line in text.splitlines():
        if line.startswith("language:"):
            value = line.split(":", 1)[1].split("#", 1)[0].strip().strip("\"'")
            return "en" if value == "en" else "zh"
    return "zh"
