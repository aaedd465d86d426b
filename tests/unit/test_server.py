"""Server: what each URL answers, the live state behind it, and the injected reload script."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_builder.preview.hosts import browser_host, is_loopback
from site_builder.preview.http import content_type, lookup
from site_builder.preview.live import STATUS_PATH, inject, live_snippet
from site_builder.preview.server import serve
from site_builder.preview.session import PreviewSession
from site_builder.preview.state import (
    BuildOutcome,
    LivePreview,
    Snapshot,
    content_missing,
    rebuild_line,
)

PAGE = b"<!doctype html><html><body><p>hello</p></body></html>"
FILES = {
    "index.html": PAGE,
    "stories/index.html": b"<html><body>stories</body></html>",
    "stories/a/index.html": b"<html><body>story a</body></html>",
    "404.html": b"<html><body>not here</body></html>",
    "assets/site.css": b"body{}",
    "feed.xml": b"<feed/>",
    "media/p.png": b"\x89PNG",
}

ERROR = {"code": "yaml-syntax", "severity": "error", "file": "stories/a.md", "line": 3,
         "col": 5, "key": "title", "location": "stories/a.md:3:5",
         "message": "YAML 格式错误：缺少冒号。", "hint": "检查这一行。"}


# ---- lookup --------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "status", "body"), [
    ("/", 200, PAGE),
    ("/index.html", 200, PAGE),
    ("/stories/", 200, b"<html><body>stories</body></html>"),
    ("/stories/a/", 200, b"<html><body>story a</body></html>"),
    ("/stories//a/", 200, b"<html><body>story a</body></html>"),
    ("/assets/site.css", 200, b"body{}"),
    ("/nope/", 404, b"<html><body>not here</body></html>"),
    ("/stories/a/index.htm", 404, b"<html><body>not here</body></html>"),
])
def test_lookup_serves_built_files_and_directory_indexes(url: str, status: int,
                                                         body: bytes) -> None:
    response = lookup(url, FILES)
    assert (response.status, response.body) == (status, body)


def test_lookup_redirects_a_folder_url_without_its_slash() -> None:
    response = lookup("/stories/a", FILES)
    assert response.status == 302
    assert response.location == "/stories/a/"


def test_lookup_redirect_never_leaves_the_site() -> None:
    files = {"evil.com/index.html": b"x"}
    assert lookup("//evil.com", files).location == "/evil.com/"


@pytest.mark.parametrize("url", [
    "/../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fcontent/site.yaml",
    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/stories/..%5c..%5csecret",
    "/./index.html",
    "/%00/index.html",
])
def test_lookup_refuses_path_traversal_however_encoded(url: str) -> None:
    files = {**FILES, "etc/passwd": b"root", "content/site.yaml": b"title: x"}
    response = lookup(url, files)
    assert response.status == 404
    assert response.body == FILES["404.html"]


def test_lookup_before_any_good_build_answers_an_empty_page() -> None:
    response = lookup("/", {})
    assert response.status == 503
    assert b"<body>" in response.body


@pytest.mark.parametrize(("path", "expected"), [
    ("index.html", "text/html; charset=utf-8"),
    ("assets/site.css", "text/css; charset=utf-8"),
    ("assets/site.js", "text/javascript; charset=utf-8"),
    ("feed.xml", "application/xml; charset=utf-8"),
    ("search.json", "application/json; charset=utf-8"),
    ("robots.txt", "text/plain; charset=utf-8"),
    ("media/logo.svg", "image/svg+xml; charset=utf-8"),
    ("media/p.png", "image/png"),
    ("media/p.JPG", "image/jpeg"),
    ("media/p.webp", "image/webp"),
    ("media/unknown.bin123", "application/octet-stream"),
])
def test_content_type_names_utf8_for_text(path: str, expected: str) -> None:
    assert content_type(path) == expected


# ---- injection -----------------------------------------------------------------------------

def test_inject_goes_before_the_last_closing_body_tag() -> None:
    html = b"<html><body><pre>&lt;/body&gt; </body></pre></BODY></html>"
    assert inject(html, b"<s>") == b"<html><body><pre>&lt;/body&gt; </body></pre><s></BODY></html>"


def test_inject_appends_when_there_is_no_body_tag() -> None:
    assert inject(b"<p>x</p>", b"<s>") == b"<p>x</p><s>"


def test_snippet_carries_build_id_and_problems_without_breaking_out_of_the_script() -> None:
    bad = {**ERROR, "message": "</script><script>alert(1)</script>"}
    snap = Snapshot("abc-3", FILES, (bad,))
    snippet = live_snippet(snap).decode()
    assert snippet.count("</script>") == 1
    assert '"abc-3"' in snippet
    assert "\\u003c/script\\u003e" in snippet
    assert STATUS_PATH in snippet
    assert "visibilitychange" in snippet


# ---- live state ----------------------------------------------------------------------------

class ScriptedBuilder:
    """A builder that returns prepared outcomes in turn, or raises prepared exceptions."""

    def __init__(self, *outcomes: BuildOutcome | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def __call__(self) -> BuildOutcome:
        self.calls += 1
        outcome = self.outcomes.pop(0) if len(self.outcomes) > 1 else self.outcomes[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


GOOD = BuildOutcome(FILES)
BROKEN = BuildOutcome(None, (ERROR,), "stories/a.md:3:5  错误", "zh-CN")


def test_failed_build_keeps_the_last_good_site_and_publishes_its_problems() -> None:
    lines: list[str] = []
    preview = LivePreview(ScriptedBuilder(GOOD, BROKEN), log=lines.append)
    first = preview.rebuild()
    second = preview.rebuild(["content/stories/a.md"])
    assert second.files is first.files
    assert second.failed and second.problems == (ERROR,)
    assert second.build_id != first.build_id
    assert lines[1].startswith("stories/a.md:3:5  错误")  # the report, as `build` prints it
    assert "生成失败（1 个错误" in lines[-1]
    assert "content/stories/a.md" in lines[-1]


def test_first_build_failing_still_publishes_the_problems_with_an_empty_site() -> None:
    preview = LivePreview(ScriptedBuilder(BROKEN), log=lambda line: None)
    snap = preview.rebuild()
    assert snap.files == {} and snap.failed


def test_fixed_build_clears_the_problems() -> None:
    preview = LivePreview(ScriptedBuilder(BROKEN, GOOD), log=lambda line: None)
    preview.rebuild()
    snap = preview.rebuild()
    assert snap.files == FILES and snap.problems == () and not snap.failed


def test_unexpected_exception_is_logged_shown_and_survived() -> None:
    lines: list[str] = []
    preview = LivePreview(ScriptedBuilder(GOOD, RuntimeError("boom"), GOOD), log=lines.append)
    preview.rebuild()
    crashed = preview.rebuild()
    assert crashed.files == FILES
    assert crashed.failed
    assert "RuntimeError: boom" in crashed.problems[0]["message"]
    assert any("Traceback" in line for line in lines)
    assert not preview.rebuild().failed


def test_rebuild_with_identical_output_does_not_reload_tabs() -> None:
    lines: list[str] = []
    preview = LivePreview(ScriptedBuilder(GOOD), log=lines.append)
    first = preview.rebuild()
    again = preview.rebuild(["content/stories/a.md"])
    assert again.build_id == first.build_id
    assert lines[-1].endswith("页面没有变化")


def test_wait_for_change_returns_at_once_for_an_old_id_and_waits_for_the_current() -> None:
    preview = LivePreview(ScriptedBuilder(GOOD, BuildOutcome({"index.html": b"new"})),
                          log=lambda line: None)
    snap = preview.rebuild()
    assert preview.wait_for_change("old-1", timeout=5).build_id == snap.build_id
    start = time.monotonic()
    assert preview.wait_for_change(snap.build_id, timeout=0.05).build_id == snap.build_id
    assert time.monotonic() - start >= 0.04
    threading.Timer(0.05, preview.rebuild).start()
    changed = preview.wait_for_change(snap.build_id, timeout=5)
    assert changed.files == {"index.html": b"new"}


def test_missing_content_withdraws_the_site_says_so_once_and_the_next_build_returns_it(
        ) -> None:
    lines: list[str] = []
    preview = LivePreview(ScriptedBuilder(GOOD), log=lines.append)
    preview.rebuild()
    gone = preview.rebuild(["content"], lambda: content_missing("zh-CN"))
    assert gone.files == {} and gone.missing == "content/" and gone.failed
    assert gone.problems[0]["message"] == "content/ 文件夹不见了，恢复后会自动重新生成。"
    assert lines[-1].endswith("content/ 文件夹不见了（被删除、改名或移走了？），浏览器里显示提示；"
                              "恢复后会自动重新生成")
    count = len(lines)
    again = preview.rebuild(["content"], lambda: content_missing("zh-CN"))
    assert again.build_id == gone.build_id and len(lines) == count  # no reload, no new line
    back = preview.rebuild(["content"])
    assert back.files == FILES and back.missing == "" and not back.failed
    assert "已生成 7 个文件" in lines[-1]


def test_missing_content_speaks_the_sites_language() -> None:
    outcome = content_missing("en")
    assert outcome.problems[0]["message"].startswith("The content/ folder is missing")
    line = rebuild_line(outcome, 0.001, ("content",), True)
    assert "content/ is missing (deleted, renamed or moved away?)" in line


def test_rebuild_line_names_time_and_files() -> None:
    line = rebuild_line(GOOD, 0.1234, ("content/a.md", "content/b.md", "templates/x.html",
                                       "assets/y.css"), True)
    assert ("已生成 7 个文件，用时 123 毫秒："
            "content/a.md、content/b.md、templates/x.html 等 4 个文件") in line
    english = rebuild_line(BuildOutcome(FILES, lang="en"), 0.05, (), True)
    assert english.endswith("built 7 files in 50 ms")


@pytest.mark.parametrize(("host", "local", "shown"), [
    ("127.0.0.1", True, "127.0.0.1"),
    ("localhost", True, "localhost"),
    ("::1", True, "[::1]"),
    ("0.0.0.0", False, "127.0.0.1"),
    ("::", False, "[::1]"),
    ("192.168.1.20", False, "192.168.1.20"),
])
def test_hosts_are_judged_and_shown_as_a_browser_needs(host: str, local: bool,
                                                       shown: str) -> None:
    assert is_loopback(host) is local
    assert browser_host(host) == shown


# ---- HTTP ----------------------------------------------------------------------------------

@pytest.fixture
def running(tmp_path: Path, start_preview: Callable[..., PreviewSession]
            ) -> Callable[..., PreviewSession]:
    """Start a session on a free port with a scripted builder (tests/conftest.py stops it)."""

    def start(*outcomes: BuildOutcome | Exception, long_poll: float = 5,
              **options: Any) -> PreviewSession:
        (tmp_path / "content").mkdir(exist_ok=True)
        return start_preview(tmp_path, builder=ScriptedBuilder(*outcomes),
                             log=lambda line: None, long_poll=long_poll, **options)

    return start


DEFAULT = "default"


def request(session: PreviewSession, path: str, method: str = "GET", *,
            host: str | None = DEFAULT, address: str = "127.0.0.1"
            ) -> tuple[int, dict[str, str], bytes]:
    """Send one request to `address` as is (no normalising of '..'), with this Host header
    (DEFAULT: address:port, as a browser sends it; None: no Host header at all)."""
    port = session.server.server_address[1]
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", f"{address}:{port}" if host == DEFAULT else host)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_html_gets_the_reload_script_and_other_files_do_not(running: Any) -> None:
    session = running(GOOD)
    status, headers, body = request(session, "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"
    assert body.startswith(PAGE[:-len(b"</body></html>")])
    assert b'<script id="sb-live">' in body
    assert body.endswith(b"</script>\n</body></html>")
    status, headers, body = request(session, "/assets/site.css")
    assert (status, body) == (200, b"body{}")
    assert headers["Content-Type"] == "text/css; charset=utf-8"
    assert headers["Cache-Control"] == "no-store"


def test_missing_page_is_the_sites_404_with_status_404_and_the_script(running: Any) -> None:
    status, _, body = request(running(GOOD), "/nope/")
    assert status == 404
    assert body.startswith(b"<html><body>not here")
    assert b"sb-live" in body


def test_folder_without_slash_redirects_keeping_the_query(running: Any) -> None:
    status, headers, _ = request(running(GOOD), "/stories/a?x=1")
    assert status == 302
    assert headers["Location"] == "/stories/a/?x=1"


@pytest.mark.parametrize("path", [
    "/%2e%2e/%2e%2e/etc/passwd",
    "/..%2f..%2fcontent/site.yaml",
    "/../../../etc/passwd",
])
def test_path_traversal_over_http_gets_404(running: Any, path: str) -> None:
    status, _, body = request(running(GOOD), path)
    assert status == 404
    assert b"root:" not in body


def test_head_answers_headers_without_a_body(running: Any) -> None:
    status, headers, body = request(running(GOOD), "/", method="HEAD")
    assert status == 200 and body == b""
    assert int(headers["Content-Length"]) > len(PAGE)


def test_status_long_poll_answers_when_a_new_build_is_published(running: Any) -> None:
    session = running(GOOD, BROKEN)
    _, _, body = request(session, STATUS_PATH)
    first = json.loads(body)
    assert first["failed"] is False and first["problems"] == []
    threading.Timer(0.1, session.preview.rebuild).start()
    start = time.monotonic()
    _, headers, body = request(session, f"{STATUS_PATH}?v={first['build']}")
    assert time.monotonic() - start < 3
    assert headers["Cache-Control"] == "no-store"
    second = json.loads(body)
    assert second["build"] != first["build"]
    assert second["failed"] is True
    assert second["problems"][0]["location"] == "stories/a.md:3:5"


def test_status_long_poll_times_out_with_the_same_id(running: Any) -> None:
    session = running(GOOD, long_poll=0.1)
    build = session.preview.snapshot.build_id
    _, _, body = request(session, f"{STATUS_PATH}?v={build}")
    assert json.loads(body)["build"] == build


def test_every_page_carries_the_problems_while_the_build_fails(running: Any) -> None:
    session = running(GOOD, BROKEN)
    session.preview.rebuild()
    status, _, body = request(session, "/stories/a/")
    assert status == 200
    assert b"story a" in body  # the last good page, with the overlay data
    assert "YAML 格式错误：缺少冒号。".encode() in body


def test_first_build_failing_serves_an_empty_page_with_the_problems(running: Any) -> None:
    status, _, body = request(running(BROKEN), "/")
    assert status == 503
    assert "YAML 格式错误".encode() in body
    assert b"sb-live" in body


# ---- Host ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/stories/a/", "/assets/site.css", "/nope/",
                                  STATUS_PATH, f"{STATUS_PATH}?v=old-1"])
@pytest.mark.parametrize("host", ["evil.example:{port}", "evil.example",
                                  "localhost.evil.example:{port}", "127.0.0.1:{other}", None])
def test_foreign_host_is_refused_and_reads_nothing(running: Any, path: str,
                                                   host: str | None) -> None:
    session = running(GOOD, BROKEN)
    session.preview.rebuild()  # problems to leak, too
    port = session.server.server_address[1]
    sent = host.format(port=port, other=port + 1) if host else None
    status, headers, body = request(session, path, host=sent)
    assert status == 403
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    text = body.decode()
    assert text.startswith("禁止访问：这个预览只回答它自己的地址") and "Forbidden" in text
    for leak in ("hello", "story a", "body{}", "not here", "sb-live", "YAML", "build"):
        assert leak not in text
    assert len(body) < 600


def test_foreign_host_gets_no_body_to_a_head_request(running: Any) -> None:
    status, _, body = request(running(GOOD), "/", "HEAD", host="evil.example")
    assert (status, body) == (403, b"")


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}",
                                  "[::1]:{port}"])
def test_each_loopback_spelling_of_the_preview_is_served(running: Any, host: str) -> None:
    session = running(GOOD)
    port = session.server.server_address[1]
    status, _, body = request(session, "/", host=host.format(port=port))
    assert status == 200 and b"<p>hello</p>" in body
    status, _, body = request(session, STATUS_PATH, host=host.format(port=port))
    assert status == 200 and json.loads(body)["build"] == session.preview.snapshot.build_id


def test_on_every_interface_the_arrival_address_and_machine_name_are_served(
        running: Any) -> None:
    session = running(GOOD, host="0.0.0.0")
    port = session.server.server_address[1]
    name = socket.gethostname()
    # 127.0.0.2 stands for a network address of this computer: Linux answers all of 127/8.
    for host in (f"127.0.0.2:{port}", f"{name}:{port}", f"localhost:{port}"):
        status, _, body = request(session, "/", host=host, address="127.0.0.2")
        assert (status, b"<p>hello</p>" in body) == (200, True), host
    for host in (f"127.0.0.3:{port}", f"evil.example:{port}", f"{name}.evil.example:{port}"):
        status, _, body = request(session, "/", host=host, address="127.0.0.2")
        assert status == 403 and b"hello" not in body, host


def test_allow_host_adds_a_name(running: Any) -> None:
    session = running(GOOD, allow_hosts=["preview.lan"])
    assert request(session, "/", host="preview.lan")[0] == 200
    assert request(session, "/", host="preview.lan:8443")[0] == 200
    assert request(session, "/", host="other.lan")[0] == 403


# ---- serve() -------------------------------------------------------------------------------

def test_serve_refuses_a_port_in_use_with_a_clear_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert serve(tmp_path, port=port) == 2
    err = capsys.readouterr().err
    assert f"无法在 127.0.0.1:{port} 上启动预览" in err
    assert f"--port {port + 1}" in err


def test_serve_on_all_interfaces_warns_and_stops_cleanly_on_ctrl_c(
        make_site: Callable[..., Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupt(self: PreviewSession) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(PreviewSession, "wait", interrupt)
    assert serve(make_site(), host="0.0.0.0", port=0) == 0
    out, err = capsys.readouterr()
    assert "注意：--host 0.0.0.0 让同一网络中的其他电脑也能打开这个预览" in err
    assert "其他电脑请用本机的 IP 地址或计算机名打开" in err
    assert "预览地址 http://127.0.0.1:" in out
    assert "（按 Ctrl+C 退出）" in out
    assert "已停止预览" in out
