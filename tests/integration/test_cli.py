"""The command line as editors and CI use it: exit codes, messages, what gets written."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import MINIMAL, cli, copy_site


def test_build_succeeds_with_summary_and_exit_0(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    run = cli("build", str(site))
    assert run.returncode == 0, run.stderr
    assert ("完成：1 个联盟、2 家成员单位、1 篇案例、1 个阵地、1 条清单、1 个页面；生成"
            in run.stdout)
    assert "用时" in run.stdout
    assert (site / "output/index.html").is_file()


def test_content_error_exits_1_with_chinese_message_and_writes_nothing(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    (site / "content/enterprises/test-member.yaml").write_text(
        "name: 测试\nmemberships:\n  - {alliance: test-chain, role: 链住, segment: 下游}\n",
        encoding="utf-8")
    run = cli("build", str(site))
    assert run.returncode == 1
    assert "enterprises/test-member.yaml:3:34  错误  memberships[0].role" in run.stderr
    assert "是不是想写“链主”？" in run.stderr
    assert "失败：1 个错误" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (site / "output").exists()


def test_gbk_file_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    (site / "content/pages/about.md").write_bytes("---\ntitle: 关于\n---\n正文\n".encode("gbk"))
    run = cli("check", str(site))
    assert run.returncode == 1
    assert "pages/about.md:2  错误" in run.stderr
    assert "不是 UTF-8 编码" in run.stderr
    assert "Traceback" not in run.stderr


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    (site / "content/stations/test-station.yaml").write_text(
        "name: 站\naddress: 地址\ntype: 其他\nlocation: {lat: 48.8, lon: 2.3}\n", "utf-8")
    assert cli("check", str(site)).returncode == 0
    strict = cli("check", str(site), "--strict")
    assert strict.returncode == 1
    assert "不在中国境内" in strict.stderr


def test_check_writes_nothing(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    run = cli("check", str(site))
    assert run.returncode == 0
    assert "检查通过" in run.stdout
    assert not (site / "output").exists()


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    assert cli("build", str(tmp_path)).returncode == 2  # no content/ there
    assert cli("build", "--jobs", "0").returncode == 2
    assert cli("frobnicate").returncode == 2
    assert cli().returncode == 2


def test_output_inside_content_is_refused(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    run = cli("build", str(site), "--output", str(site / "content"))
    assert run.returncode == 2
    assert (site / "content/site.yaml").is_file()


def test_bad_base_url_option_is_a_content_error(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    run = cli("build", str(site), "--base-url", "localhost:8000")
    assert run.returncode == 1
    assert "(命令行 command line)  错误  --base-url" in run.stderr
    assert "base_url“localhost:8000”不是完整的网址。" in run.stderr


def test_base_url_option_sets_canonical_urls(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    assert cli("build", str(site), "--base-url", "http://127.0.0.1:8000").returncode == 0
    html = (site / "output/alliances/test-chain/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="http://127.0.0.1:8000/alliances/test-chain/">' in html


def test_init_makes_a_site_that_builds_and_names_every_placeholder_left(
        tmp_path: Path) -> None:
    run = cli("init", str(tmp_path / "new"))
    assert run.returncode == 0
    build = cli("build", str(tmp_path / "new"))
    assert build.returncode == 0, build.stderr
    assert (tmp_path / "new/output/stories/first-story/index.html").is_file()
    # Every starter file says 【待改】 until its sample text is replaced; --strict refuses it.
    assert build.stderr.count("新建时的示例内容没有改") == 7, build.stderr
    assert cli("build", str(tmp_path / "new"), "--strict").returncode == 1
    assert cli("init", str(tmp_path / "new")).returncode == 2  # not empty any more


def test_new_scaffolds_every_kind_and_never_overwrites(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    for kind in ("alliance", "enterprise", "story", "station", "listing", "page"):
        run = cli("new", kind, f"new-{kind}", str(site))
        assert run.returncode == 0, run.stderr
    assert (site / "content/alliances/new-alliance/alliance.yaml").is_file()
    check = cli("check", str(site), "--drafts")
    assert check.returncode == 0
    assert check.stderr.count("新建时的示例内容没有改") == 6, check.stderr
    again = cli("new", "station", "new-station", str(site))
    assert again.returncode == 2
    assert "已存在" in again.stderr
    assert cli("new", "station", "Bad_Name", str(site)).returncode == 2


def test_progress_is_shown_only_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    site = copy_site(MINIMAL, tmp_path / "site")
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "site_builder", "build", str(site)],
                          stdout=subprocess.PIPE, stderr=follower, timeout=120)
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.returncode == 0
    assert "渲染页面 / rendering".encode() in shown
    piped = cli("build", str(site))
    assert "rendering" not in piped.stderr


def test_no_search_builds_the_site_without_the_index(tmp_path: Path) -> None:
    site = copy_site(MINIMAL, tmp_path / "site")
    proc = cli("build", str(site), "--no-search")
    assert proc.returncode == 0, proc.stderr
    assert (site / "output" / "search" / "index.html").is_file()
    assert not (site / "output" / "search-index").exists()
    # The next full build adds it, and the pages are the same either way.
    page = (site / "output" / "index.html").read_bytes()
    assert cli("build", str(site)).returncode == 0
    assert (site / "output" / "search-index" / "meta.json").is_file()
    assert (site / "output" / "index.html").read_bytes() == page
