"""The build's manifest beside output/, and `verify` against a folder and a local server."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import cli


@pytest.fixture
def built(make_site) -> Path:
    site = make_site()
    done = cli("build", str(site), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    return site


def _serve(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_build_keeps_a_sha256_manifest_beside_the_output_not_in_it(built) -> None:
    manifest = built / "output.sha256"
    lines = manifest.read_text(encoding="utf-8").splitlines()
    paths = [line[66:] for line in lines]
    files = sorted(p.relative_to(built / "output").as_posix()
                   for p in (built / "output").rglob("*") if p.is_file())
    assert paths == files  # every published file, sorted, and nothing else
    index = built / "output" / "index.html"
    assert f"{hashlib.sha256(index.read_bytes()).hexdigest()}  index.html" in lines
    assert not (built / "output" / "output.sha256").exists()


def test_verify_finds_the_one_file_changed_on_a_local_server(built, tmp_path) -> None:
    deployed = tmp_path / "www"
    shutil.copytree(built / "output", deployed)
    server = _serve(deployed)
    url = next(server)
    try:
        same = cli("verify", url, str(built))
        assert same.returncode == 0, same.stdout + same.stderr
        assert "结论：与生成时一致。" in same.stdout
        page = deployed / "stories" / "first-story" / "index.html"
        page.write_text(page.read_text(encoding="utf-8").replace("第一个案例", "被篡改的标题"),
                        encoding="utf-8")
        (deployed / "about.html").unlink(missing_ok=True)
        (deployed / "feed.xml").unlink()
        changed = cli("verify", url, str(built))
        assert changed.returncode == 1
        assert "内容被改动：1 个\n  stories/first-story/index.html" in changed.stdout
        assert "缺失：1 个\n  feed.xml" in changed.stdout
    finally:
        next(server, None)


def test_verify_a_folder_also_lists_files_added(built, tmp_path) -> None:
    deployed = tmp_path / "www"
    shutil.copytree(built / "output", deployed)
    (deployed / "shell.php").write_text("<?php ?>", encoding="utf-8")
    done = cli("verify", str(deployed), str(built))
    assert done.returncode == 1
    assert "多出（清单里没有）：1 个\n  shell.php" in done.stdout


def test_verify_without_a_manifest_is_a_usage_error(make_site, tmp_path) -> None:
    done = cli("verify", str(tmp_path), str(make_site()))
    assert done.returncode == 2
    assert "找不到清单" in done.stderr
