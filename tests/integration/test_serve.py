"""Live preview end to end: a real server and watcher on a scratch site, edited like an editor."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_builder.preview.live import STATUS_PATH
from site_builder.preview.session import PreviewSession
from site_builder.preview.state import SiteBuilder
from tests.conftest import REPO, cli

STORY = "content/stories/baidu-ai-cloud-move-in.md"
STORY_URL = "stories/baidu-ai-cloud-move-in/"
DRAFT_URL = "stories/ganjiang-brain-computer-interface/"


@pytest.fixture
def start_session(start_preview: Callable[..., PreviewSession]
                  ) -> Callable[[Path], PreviewSession]:
    """Start a preview of a site (tests/conftest.py stops it), its log in session.lines."""

    def start(site: Path, **options: Any) -> PreviewSession:
        lines: list[str] = []
        session = start_preview(site, log=lines.append, long_poll=8, **options)
        session.lines = lines  # type: ignore[attr-defined]
        return session

    return start


def fetch(session: PreviewSession, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(session.url + path, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def status(session: PreviewSession, seen: str = "") -> dict[str, object]:
    """The status endpoint; with `seen`, wait for a build other than `seen`."""
    query = f"?v={seen}" if seen else ""
    return json.loads(fetch(session, STATUS_PATH.lstrip("/") + query)[1])


def next_build(session: PreviewSession, seen: str) -> dict[str, object]:
    found = status(session, seen)
    assert found["build"] != seen, "no rebuild was signalled"
    return found


def build_lines(session: PreviewSession) -> list[str]:
    return [line for line in session.lines if line.startswith("[")]  # type: ignore[attr-defined]


def edit(site: Path, rel: str, old: str, new: str) -> None:
    path = site / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_saved_story_is_served_and_open_tabs_are_told_to_reload(
        scratch_demo: Path, start_session: Callable[[Path], PreviewSession]) -> None:
    session = start_session(scratch_demo)
    before = status(session)
    code, page = fetch(session, STORY_URL)
    assert code == 200 and "新增的一段：保存后自动刷新" not in page
    edit(scratch_demo, STORY, "## 企业提需求", "新增的一段：保存后自动刷新\n\n## 企业提需求")
    after = next_build(session, str(before["build"]))
    assert after["failed"] is False
    code, page = fetch(session, STORY_URL)
    assert code == 200
    assert "新增的一段：保存后自动刷新" in page
    assert 'id="sb-live"' in page
    time.sleep(0.5)
    assert status(session)["build"] == after["build"]  # one save, one reload
    assert STORY in build_lines(session)[1]


def test_yaml_mistake_keeps_the_last_good_page_and_the_fix_reloads(
        scratch_demo: Path, start_session: Callable[[Path], PreviewSession]) -> None:
    session = start_session(scratch_demo)
    good = status(session)
    edit(scratch_demo, STORY, "date: 2025-12-11", "date: 2025-12-11\nauthor 本站编辑部")
    broken = next_build(session, str(good["build"]))
    assert broken["failed"] is True
    problem = broken["problems"][0]  # type: ignore[index]
    assert problem["file"] == "stories/baidu-ai-cloud-move-in.md"
    assert problem["message"].startswith("YAML 格式错误")
    code, page = fetch(session, STORY_URL)
    assert code == 200
    assert "400余人“拎包入住”" in page  # still the last good page
    assert "YAML 格式错误" in page  # with the overlay's data
    edit(scratch_demo, STORY, "\nauthor 本站编辑部", "")
    edit(scratch_demo, STORY, "400余人“拎包入住”", "四百余人“拎包入住”")
    fixed = status(session, str(broken["build"]))
    # Two quick saves may land in one rebuild or two; wait for the last.
    while fixed["failed"] or "四百余人" not in fetch(session, STORY_URL)[1]:
        fixed = next_build(session, str(fixed["build"]))
    assert fixed["problems"] == []
    assert "YAML 格式错误" not in fetch(session, STORY_URL)[1]


def test_template_error_is_shown_and_never_stops_the_server(
        make_site: Callable[..., Path], start_session: Callable[[Path], PreviewSession]) -> None:
    site = make_site()
    session = start_session(site)
    good = status(session)
    base = (REPO / "templates/base.html").read_text(encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates/base.html").write_text(base.replace("</main>", "{% if %}</main>"),
                                              encoding="utf-8")
    broken = next_build(session, str(good["build"]))
    while not broken["failed"]:  # the folder and the file may come as two rebuilds
        broken = next_build(session, str(broken["build"]))
    assert broken["problems"][0]["code"] == "template-error"  # type: ignore[index]
    assert fetch(session, "")[0] == 200
    # The new templates/ folder is watched now: fixing the file inside is noticed.
    (site / "templates/base.html").write_text(base.replace("</main>", "<p>模板已修好</p></main>"),
                                              encoding="utf-8")
    fixed = next_build(session, str(broken["build"]))
    assert fixed["failed"] is False
    assert "模板已修好" in fetch(session, "")[1]


def test_first_build_failing_still_starts_and_recovers_when_fixed(
        make_site: Callable[..., Path], start_session: Callable[[Path], PreviewSession]) -> None:
    site = make_site({"content/site.yaml": "title: [未闭合\n"})
    session = start_session(site)
    first = status(session)
    assert first["failed"] is True
    code, page = fetch(session, "")
    assert code == 503 and "site.yaml" in page
    (site / "content/site.yaml").write_text("title: 修好了\nbase_url: https://example.org/\n",
                                            encoding="utf-8")
    fixed = next_build(session, str(first["build"]))
    assert fixed["failed"] is False
    assert "修好了" in fetch(session, "")[1]


def test_preview_shows_drafts_and_links_to_the_preview_address(
        scratch_demo: Path, start_session: Callable[[Path], PreviewSession]) -> None:
    session = start_session(scratch_demo)
    code, page = fetch(session, DRAFT_URL)
    assert code == 200
    assert "脑机接口" in page
    assert f'href="{session.url}{DRAFT_URL}"' in page  # canonical uses the preview's base_url


def test_build_output_never_contains_the_reload_script(make_site: Callable[..., Path]) -> None:
    site = make_site()
    assert cli("build", str(site)).returncode == 0
    for path in (site / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"sb-live" not in data and b"__sb/" not in data, path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_cli_serve_prints_the_address_serves_and_stops_on_ctrl_c(
        make_site: Callable[..., Path]) -> None:
    site = make_site()
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "site_builder", "serve", str(site),
                             "--port", str(port)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("预览地址") or not line:
                break
        assert f"预览地址 http://127.0.0.1:{port}/ （按 Ctrl+C 退出）\n" in lines, lines
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
            assert "第一个案例" in response.read().decode("utf-8")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
        assert proc.returncode == 0, err
        assert "已停止预览" in out
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


# ---- content/ deleted and made again ---------------------------------------------------------

def wait_status(session: PreviewSession, seen: str, wanted: Callable[[dict[str, Any]], bool],
                what: str, seconds: float = 30) -> dict[str, Any]:
    """Follow the published builds after `seen` until one is `wanted`."""
    deadline = time.monotonic() + seconds
    found = status(session)
    while not wanted(found):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}; last: {found}")
        found = status(session, str(found["build"]))
    return found


def _rename_away(site: Path) -> None:
    (site / "content").rename(site / "content.away")


def _rename_back(site: Path, backup: Path) -> None:
    (site / "content.away").rename(site / "content")


def _remove(site: Path) -> None:
    shutil.rmtree(site / "content")


def _copy_back(site: Path, backup: Path) -> None:
    shutil.copytree(backup, site / "content")


VANISHINGS = {
    "renamed-away-and-back": (_rename_away, _rename_back),
    "deleted-and-copied-back": (_remove, _copy_back),
}
MISSING = "content/ 文件夹不见了"


@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
@pytest.mark.parametrize("how", list(VANISHINGS))
def test_content_deleted_and_made_again_shows_a_notice_then_catches_up(
        make_site: Callable[..., Path], start_session: Callable[..., PreviewSession],
        polling: bool, how: str) -> None:
    site = make_site()
    backup = shutil.copytree(site / "content", site.parent / "backup")
    vanish, restore = VANISHINGS[how]
    session = start_session(site, force_polling=polling)
    assert "测试网站" in fetch(session, "")[1]

    vanish(site)
    gone = wait_status(session, "", lambda s: s["missing"] == "content/", "the notice")
    assert gone["failed"] is True and MISSING in gone["problems"][0]["message"]
    code, page = fetch(session, "")
    assert code == 503  # no stale site: only the notice
    assert "测试网站" not in page and MISSING in page and 'id="sb-live"' in page
    line = build_lines(session)[-1]
    assert MISSING in line and "恢复后会自动重新生成" in line

    restore(site, backup)
    wait_status(session, str(gone["build"]), lambda s: not s["missing"] and not s["failed"],
                "the rebuild once content/ is back")
    # A save in the folder made again is seen: its watch was re-armed.
    edit(site, "content/site.yaml", "title: 测试网站", "title: 恢复后的网站")
    fresh = SiteBuilder(site, session.url)()
    assert fresh.files is not None and "恢复后的网站" in fresh.files["index.html"].decode()
    wait_status(session, "", lambda s: session.preview.snapshot.files == fresh.files,
                "the served site equal to a fresh build")
    code, page = fetch(session, "")
    assert code == 200 and "恢复后的网站" in page and MISSING not in page



@pytest.mark.parametrize("polling", [False, True], ids=["native", "polling"])
def test_content_swapped_in_one_go_is_followed(
        make_site: Callable[..., Path], start_session: Callable[..., PreviewSession],
        polling: bool) -> None:
    """Like a git checkout of another branch: content/ deleted and written again at once."""
    site = make_site()
    other = shutil.copytree(site / "content", site.parent / "other-branch")
    edit(other.parent, "other-branch/site.yaml", "title: 测试网站", "title: 另一个分支")
    session = start_session(site, force_polling=polling)
    shutil.rmtree(site / "content")
    shutil.copytree(other, site / "content")
    wait_status(session, "", lambda s: "另一个分支" in fetch(session, "")[1],
                "the other branch served")
    edit(site, "content/site.yaml", "title: 另一个分支", "title: 分支上的修改")
    fresh = SiteBuilder(site, session.url)()
    wait_status(session, "", lambda s: session.preview.snapshot.files == fresh.files,
                "the served site equal to a fresh build")

def test_cli_refuses_a_malformed_allow_host() -> None:
    done = cli("serve", "--allow-host", "http://preview.lan/")
    assert done.returncode == 2
    assert "--allow-host: 需要主机名或 IP 地址" in done.stderr
