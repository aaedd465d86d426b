"""Serve: build into memory, serve the last good site, reload every open tab after a save.

    save ─► watch (classify, debounce) ─► LivePreview.rebuild ─► new build id ─► tabs reload

The site lives in memory (path → bytes) and is replaced whole after each good build, so a
page is never half old, half new. A failed build keeps the last good site and publishes
its diagnostics; every HTML response then carries an overlay that explains them. The
reload script and the overlay are added to responses only: `build` output never has them.
"""

from __future__ import annotations

import json
import mimetypes
import secrets
import socket
import sys
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchdog.observers.api import BaseObserver

from site_builder.build import run
from site_builder.core.config import BuildOptions
from site_builder.core.diagnostics import Diagnostic, Severity
from site_builder.core.outputs import Output
from site_builder.incremental.session import Session
from site_builder.preview.watch import (
    DEBOUNCE_SECONDS,
    ChangeHandler,
    Debouncer,
    schedule,
    start_observer,
    watched_paths,
)

STATUS_PATH = "/__sb/status"
# How long a status request waits for a new build before answering "no change".
LONG_POLL_SECONDS = 25.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
EXIT_OK, EXIT_USAGE = 0, 2

Log = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


# ---- builds ----------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildOutcome:
    """What one build gave the server: the site if it succeeded, and its problems."""

    files: Mapping[str, bytes] | None  # None: the build failed, keep serving the last good site
    problems: tuple[dict[str, Any], ...] = ()
    report_text: str = ""  # the diagnostics as the terminal shows them
    lang: str = "zh-CN"


Builder = Callable[[], BuildOutcome]


class SiteBuilder:
    """Build the site into memory for preview, reusing memoised Markdown between builds."""

    # One process by default: forked render workers never fill the Markdown memo kept here,
    # so warm rebuilds gain nothing (10,000 pages, 2 CPUs: 84 s with 2 jobs, 65-87 s with
    # one), and forking a process that runs server threads is fragile.
    def __init__(self, site_dir: Path, base_url: str, jobs: int = 1) -> None:
        self.options = BuildOptions(site_dir=site_dir, drafts=True, future=True, preview=True,
                                    base_url=base_url, jobs=jobs)
        self.cache = Session()  # the memos of the last build, in memory

    def __call__(self) -> BuildOutcome:
        kept: list[Output] = []
        result = run(self.options, session=self.cache, writer=kept.extend)
        lang = result.language
        problems = tuple(problem_of(d, lang) for d in result.report.items)
        files = {o.path: o.data for o in kept} if result.ok else None
        return BuildOutcome(files, problems, result.report.format(lang), lang)


def problem_of(d: Diagnostic, lang: str) -> dict[str, Any]:
    """Describe one diagnostic for the overlay: where, which key, what, and how to fix it."""
    return {**d.as_dict(lang), "location": d.location()}


def crash_outcome(exc: BaseException) -> BuildOutcome:
    """Describe an unexpected exception as a problem the overlay can show."""
    problem = {
        "code": "internal-error", "severity": "error", "file": None, "line": None,
        "col": None, "key": "", "location": "site-builder",
        "message": f"生成网站时出现意外错误：{type(exc).__name__}: {exc}",
        "hint": "详细信息见运行 site-builder serve 的终端窗口。这通常是程序的问题而不是内容的"
                "问题，请把终端里的信息发给技术人员。",
    }
    return BuildOutcome(None, (problem,), "", "zh-CN")


# ---- live state ------------------------------------------------------------------------

@dataclass(frozen=True)
class Snapshot:
    """The site being served and what the latest build said about it."""

    build_id: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    problems: tuple[dict[str, Any], ...] = ()  # shown in the overlay while the build fails
    lang: str = "zh-CN"

    @property
    def failed(self) -> bool:
        return any(p["severity"] == Severity.ERROR for p in self.problems)


class LivePreview:
    """The latest snapshot, shared by the rebuild thread and every request thread."""

    def __init__(self, builder: Builder, log: Log = _print,
                 long_poll: float = LONG_POLL_SECONDS) -> None:
        self.builder = builder
        self.log = log
        self.long_poll = long_poll
        # A new id per session, so tabs left open from an earlier `serve` reload too.
        self._session = secrets.token_hex(4)
        self._count = 0
        self._snapshot = Snapshot(self._next_id())
        self._built = False
        self._last_report = ""
        self._cond = threading.Condition()
        self._closed = False

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def _next_id(self) -> str:
        self._count += 1
        return f"{self._session}-{self._count}"

    def rebuild(self, changed: Iterable[str] = ()) -> Snapshot:
        """Build once and publish the result; never raises, whatever the content holds."""
        start = time.perf_counter()
        try:
            outcome = self.builder()
        except Exception as exc:  # a bug must not stop the preview: log it and keep serving
            self.log(traceback.format_exc().rstrip())
            outcome = crash_outcome(exc)
        changed_site = self.publish(outcome)
        elapsed = time.perf_counter() - start
        self._log_build(outcome, elapsed, tuple(changed), changed_site)
        return self._snapshot

    def publish(self, outcome: BuildOutcome) -> bool:
        """Make `outcome` the current state; say whether anything a tab shows changed."""
        with self._cond:
            old = self._snapshot
            files = old.files if outcome.files is None else outcome.files
            problems = () if outcome.files is not None else outcome.problems
            if self._built and files == old.files and problems == old.problems:
                return False  # nothing to reload: a save that changed nothing
            self._built = True
            self._snapshot = Snapshot(self._next_id(), files, problems, outcome.lang)
            self._cond.notify_all()
            return True

    def wait_for_change(self, seen: str, timeout: float | None = None) -> Snapshot:
        """Return the snapshot once its id differs from `seen`, or after `timeout` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._snapshot.build_id != seen or self._closed,
                                self.long_poll if timeout is None else timeout)
            return self._snapshot

    def close(self) -> None:
        """Release every waiting status request."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _log_build(self, outcome: BuildOutcome, elapsed: float, changed: tuple[str, ...],
                   changed_site: bool) -> None:
        if outcome.report_text and outcome.report_text != self._last_report:
            self.log(outcome.report_text + "\n")
        self._last_report = outcome.report_text
        self.log(rebuild_line(outcome, elapsed, changed, changed_site))


def rebuild_line(outcome: BuildOutcome, elapsed: float, changed: tuple[str, ...],
                 changed_site: bool) -> str:
    """One terminal line per build: when, how long, which files, and the result."""
    en = outcome.lang == "en"
    stamp = time.strftime("%H:%M:%S")
    ms = round(elapsed * 1000)
    files = _list_files(changed, en)
    errors = sum(1 for p in outcome.problems if p["severity"] == Severity.ERROR)
    if outcome.files is None:
        if en:
            return (f"[{stamp}] build failed ({errors} error(s), {ms} ms){files}; the browser "
                    "shows what is wrong and still serves the last good site")
        return (f"[{stamp}] 生成失败（{errors} 个错误，用时 {ms} 毫秒）{files}；浏览器里会显示"
                "错误说明，仍显示上一次成功的网站")
    same = "" if changed_site else ("; nothing changed" if en else "；页面没有变化")
    if en:
        return f"[{stamp}] built {len(outcome.files)} files in {ms} ms{files}{same}"
    return f"[{stamp}] 已生成 {len(outcome.files)} 个文件，用时 {ms} 毫秒{files}{same}"


def _list_files(changed: tuple[str, ...], en: bool) -> str:
    if not changed:
        return ""
    shown = "、".join(changed[:3]) if not en else ", ".join(changed[:3])
    if len(changed) > 3:
        shown += f" and {len(changed) - 3} more" if en else f" 等 {len(changed)} 个文件"
    return f" — {shown}" if en else f"：{shown}"


# ---- responses -------------------------------------------------------------------------

@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None


# Fixed here rather than left to mimetypes, which differs between systems (.js, .webp).
_TYPES = MappingProxyType({
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".geojson": "application/geo+json",
    ".webmanifest": "application/manifest+json", ".woff2": "font/woff2",
})
_TEXT_TYPES = ("application/json", "application/xml", "text/javascript", "image/svg+xml",
               "application/geo+json", "application/manifest+json")

_EMPTY_PAGE = ('<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
               "<title>site-builder 预览</title></head>\n<body>\n</body>\n</html>\n").encode()


def content_type(path: str) -> str:
    """The Content-Type of an output path, with charset=utf-8 for text."""
    suffix = Path(path).suffix.lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        kind += "; charset=utf-8"
    return kind


def lookup(url_path: str, files: Mapping[str, bytes]) -> Response:
    """Find the file a URL path names in the built site; only built files are reachable."""
    segments = [s for s in unquote(url_path).split("/") if s]
    # Decoding first means %2e%2e and ..%2f are caught here too. The files come from a dict,
    # so nothing outside the site could be read anyway; refusing makes that plain.
    if any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
        return not_found(files)
    key = "/".join(segments)
    if url_path.endswith("/") or not segments:
        key = f"{key}/index.html" if key else "index.html"
    if key in files:
        return Response(HTTPStatus.OK, files[key], content_type(key))
    if f"{key}/index.html" in files:
        # Built from the segments, never from the raw path: '//host/x' must not redirect away.
        return Response(HTTPStatus.FOUND, location="/" + quote(key) + "/")
    return not_found(files)


def not_found(files: Mapping[str, bytes]) -> Response:
    """The site's own 404 page, or an empty page when no build has succeeded yet."""
    if not files:
        return Response(HTTPStatus.SERVICE_UNAVAILABLE, _EMPTY_PAGE)
    return Response(HTTPStatus.NOT_FOUND, files.get("404.html", _EMPTY_PAGE))


def inject(html: bytes, snippet: bytes) -> bytes:
    """Insert `snippet` before the last </body>, or at the end when there is none."""
    at = html.lower().rfind(b"</body>")
    return html[:at] + snippet + html[at:] if at >= 0 else html + snippet


def status_json(snap: Snapshot) -> dict[str, Any]:
    """What the reload script needs: the build id and the problems to show."""
    return {"build": snap.build_id, "failed": snap.failed, "lang": snap.lang,
            "site": bool(snap.files), "problems": list(snap.problems)}


def live_snippet(snap: Snapshot) -> bytes:
    """The reload script and overlay for one response, carrying the state it was built from."""
    state = json.dumps(status_json(snap), ensure_ascii=False)
    # Inside <script>, '</script>' in a message would end the script: escape the markup.
    state = state.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    state = state.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    script = _LIVE_SCRIPT.replace("__STATE__", state).replace("__STATUS__", STATUS_PATH)
    return f'<script id="sb-live">{script}</script>\n'.encode()


# The script stops polling while the tab is hidden (MkDocs #3389: long polls from many
# background tabs used up the browser's connections) and polls again when it comes back.
# The overlay lives in a shadow root so the site's CSS cannot hide or restyle it.
_LIVE_SCRIPT = """
(function () {
  "use strict";
  var state = __STATE__;
  var en = state.lang === "en";
  var T = en ? {
    title: function (n) { return "The site could not be built: " + n + " problem(s)"; },
    lead: "The browser still shows the last good version. Fix the problems below and save; "
      + "this page reloads by itself.",
    none: "The site has not been built yet. Fix the problems below and save; "
      + "this page reloads by itself.",
    key: "key", hint: "Hint: ", hide: "Hide", error: "Error", warning: "Warning"
  } : {
    title: function (n) { return "网站生成失败：发现 " + n + " 个问题"; },
    lead: "浏览器里显示的仍是上一次成功生成的网站。请按下面的说明改正并保存，页面会自动刷新。",
    none: "网站还没有生成成功过。请按下面的说明改正并保存，页面会自动刷新。",
    key: "键", hint: "提示：", hide: "暂时隐藏", error: "错误", warning: "警告"
  };
  var current = null, timer = null, delay = 0;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function problemItem(p) {
    var li = el("li", p.severity === "error" ? "error" : "warning");
    var where = el("p", "where");
    where.appendChild(el("span", "sev", p.severity === "error" ? T.error : T.warning));
    where.appendChild(el("code", "loc", p.location));
    if (p.key) where.appendChild(el("span", "key", T.key + " " + p.key));
    li.appendChild(where);
    li.appendChild(el("p", "msg", p.message));
    if (p.hint) li.appendChild(el("p", "hint", T.hint + p.hint));
    return li;
  }

  function showOverlay(problems) {
    var old = document.getElementById("sb-overlay");
    if (old) old.remove();
    if (!state.failed || !problems.length) return;
    var host = el("div");
    host.id = "sb-overlay";
    var root = host.attachShadow ? host.attachShadow({mode: "open"}) : host;
    var style = el("style");
    style.textContent = ":host{all:initial}"
      + ".box{position:fixed;z-index:2147483647;top:0;left:0;right:0;max-height:85vh;"
      + "overflow:auto;box-sizing:border-box;padding:16px 20px;background:#fff;color:#1a1a1a;"
      + "border-bottom:4px solid #b3121b;box-shadow:0 4px 24px rgba(0,0,0,.35);"
      + "font:16px/1.6 system-ui,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif}"
      + "h2{margin:0 0 4px;font-size:20px;color:#b3121b}.lead{margin:0 0 12px}"
      + "ol{margin:0;padding:0 0 0 1.4em}li{margin:0 0 12px}p{margin:0}"
      + ".where{font-weight:600}.loc{font:15px/1.4 ui-monospace,Consolas,monospace;"
      + "background:#f3f3f3;padding:1px 4px;margin:0 6px}.sev{color:#b3121b}"
      + ".warning .sev{color:#8a5a00}.key{color:#444}.hint{color:#333}"
      + "button{float:right;font:inherit;padding:2px 10px;cursor:pointer}";
    var box = el("section", "box");
    box.setAttribute("role", "alert");
    box.setAttribute("aria-labelledby", "sb-title");
    var hide = el("button", "", T.hide);
    hide.type = "button";
    hide.addEventListener("click", function () { host.remove(); });
    var title = el("h2", "", T.title(problems.length));
    title.id = "sb-title";
    var list = el("ol");
    problems.forEach(function (p) { list.appendChild(problemItem(p)); });
    box.appendChild(hide);
    box.appendChild(title);
    box.appendChild(el("p", "lead", state.site ? T.lead : T.none));
    box.appendChild(list);
    root.appendChild(style);
    root.appendChild(box);
    document.body.appendChild(host);
  }

  function poll() {
    if (document.hidden || current) return;
    var mine = current = new AbortController();
    fetch("__STATUS__?v=" + encodeURIComponent(state.build),
          {cache: "no-store", signal: mine.signal})
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        if (current !== mine) return;
        current = null;
        delay = 0;
        if (s.build !== state.build) { location.reload(); return; }
        poll();
      })
      .catch(function () {
        if (current !== mine) return;
        current = null;
        // The server is restarting or gone: try again, gently.
        delay = Math.min(delay ? delay * 2 : 500, 5000);
        timer = setTimeout(poll, delay);
      });
  }

  function stop() {
    clearTimeout(timer);
    if (current) { var c = current; current = null; c.abort(); }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) stop(); else poll();
  });
  window.addEventListener("pagehide", stop);
  window.addEventListener("pageshow", poll);
  if (document.body) showOverlay(state.problems);
  else document.addEventListener("DOMContentLoaded", function () { showOverlay(state.problems); });
  poll();
})();
"""


# ---- HTTP ------------------------------------------------------------------------------

class PreviewHandler(BaseHTTPRequestHandler):
    """Answer GET and HEAD from the live snapshot; nothing is read from disk."""

    server: PreviewServer
    server_version = "site-builder"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        url = urlsplit(self.path)
        preview = self.server.preview
        if url.path == STATUS_PATH:
            seen = parse_qs(url.query).get("v", [""])[0]
            snap = preview.wait_for_change(seen) if seen and not head else preview.snapshot
            body = json.dumps(status_json(snap), ensure_ascii=False).encode()
            self._send(Response(HTTPStatus.OK, body, "application/json; charset=utf-8"), head)
            return
        snap = preview.snapshot  # one snapshot per request: the page and its build id agree
        response = lookup(url.path, snap.files)
        if response.location and url.query:
            response = Response(response.status, location=f"{response.location}?{url.query}")
        if response.content_type.startswith("text/html") and not response.location:
            response = Response(response.status, inject(response.body, live_snippet(snap)),
                                response.content_type)
        self._send(response, head)

    def _send(self, response: Response, head: bool) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            if response.location:
                self.send_header("Location", response.location)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)
        except ConnectionError:
            pass  # the tab reloaded or closed while we answered: nothing to do

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for builds and problems, not one line per request."""


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server over one LivePreview."""

    daemon_threads = True
    preview: LivePreview

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser dropped a connection: normal during reloads
        super().handle_error(request, client_address)


class PreviewServerV6(PreviewServer):
    address_family = socket.AF_INET6


def make_server(host: str, port: int) -> PreviewServer:
    """Bind the preview server to host:port (port 0: any free port)."""
    server_class = PreviewServerV6 if ":" in host else PreviewServer
    return server_class((host, port), PreviewHandler)


def browser_host(host: str) -> str:
    """The host a browser on this computer should use for `host`."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def is_loopback(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.startswith("127.")


# ---- session ---------------------------------------------------------------------------

class PreviewSession:
    """A running preview: server, watcher and rebuild loop, started and stopped together."""

    def __init__(self, site_dir: Path, host: str = "127.0.0.1", port: int = 8000, *,
                 builder: Builder | None = None, force_polling: bool | None = None,
                 debounce: float = DEBOUNCE_SECONDS, log: Log = _print,
                 long_poll: float = LONG_POLL_SECONDS) -> None:
        # absolute(), not resolve(): watchdog reports paths under the folder as given.
        self.site_dir = site_dir.absolute()
        self.log = log
        self.force_polling = force_polling
        self.server = make_server(host, port)
        self.url = f"http://{browser_host(host)}:{self.server.server_address[1]}/"
        builder = builder or SiteBuilder(self.site_dir, self.url)
        self.preview = LivePreview(builder, log, long_poll)
        self.server.preview = self.preview
        self.debouncer = Debouncer(self._rebuild, delay=debounce)
        self.handler = ChangeHandler(self.site_dir, self.debouncer.add)
        self.observer: BaseObserver | None = None
        self.watched: list[Path] = []
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Watch, build once, and start answering requests in a background thread."""
        # Watch before the first build, so a save during it is not lost.
        self.observer = start_observer(self.site_dir, self.handler,
                                       force_polling=self.force_polling, log=self.log)
        self.watched = [p for p, _ in watched_paths(self.site_dir)]
        self.preview.rebuild()
        self.debouncer.start()
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.2},
                                        name="site-builder-http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and serving; safe to call twice."""
        self.debouncer.stop()
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
            self.observer = None
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
        self.preview.rebuild(sorted(self._relative(p) for p in changed))
        if self.observer is not None:
            # templates/ or assets/ may have been created since we started.
            self.watched += schedule(self.observer, self.site_dir, self.handler, self.watched)

    def _relative(self, path: str) -> str:
        try:
            return Path(path).relative_to(self.site_dir).as_posix()
        except ValueError:
            return path


def serve(site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000,
          open_browser: bool = False) -> int:
    """Preview the site at http://host:port/ until Ctrl+C; return the exit code."""
    try:
        session = PreviewSession(site_dir, host, port)
    except OSError as exc:
        print(f"site-builder: 无法在 {host}:{port} 上启动预览（{exc.strerror or exc}）。"
              f"端口可能已被占用，请换一个，例如 --port {port + 1}\n"
              f"site-builder: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(host):
        print(f"注意：--host {host} 让同一网络中的其他电脑也能打开这个预览，包括草稿和未到发布"
              "日期的案例。只在确实需要时使用。\n"
              f"Warning: --host {host} makes the preview, drafts included, visible on the "
              "network.", file=sys.stderr, flush=True)
    try:
        print(f"正在生成网站（{session.site_dir}）…", flush=True)
        session.start()
        print(f"预览地址 {session.url} （按 Ctrl+C 退出）", flush=True)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(session.url,), daemon=True).start()
        session.wait()
    except KeyboardInterrupt:
        print("\n已停止预览 / preview stopped", flush=True)
    finally:
        session.stop()
    return EXIT_OK
