"""File names and links that cannot be published are located errors, shown safely
(issue #20, item 8): no traceback, no raw control character in the terminal."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.core.diagnostics import Diagnostic, Report
from site_builder.load.sources import load_sources
from tests.conftest import MINIMAL, cli, copy_site


def _site(tmp_path: Path) -> Path:
    return copy_site(MINIMAL, tmp_path / "site")


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
            or 0xd800 <= ord(c) < 0xe000]


def test_a_name_that_is_not_utf8_is_a_located_error_shown_escaped(tmp_path: Path) -> None:
    site = _site(tmp_path)
    media = site / "content/media"
    media.mkdir()
    (media / "ok.txt").write_text("ok", encoding="utf-8")
    # 文件 in GBK, as an old archive unpacks it (its middle bytes happen to be UTF-8: ļ)
    with open(os.fsencode(media) + b"/\xce\xc4\xbc\xfe.png", "wb") as f:
        f.write(b"\x89PNG")
    with open(os.fsencode(site / "content/enterprises") + b"/bad\xff.yaml", "wb") as f:
        f.write(b"name: x\n")
    report = Report()
    sources = load_sources(site / "content", report)
    assert [a.path for a in sources.assets] == ["media/ok.txt"]
    found = [(d.code, d.as_dict()["file"], d.message()) for d in report.items]
    assert found == [
        ("bad-file-name", "enterprises/bad\\udcff.yaml",
         "文件名“bad\\udcff.yaml”里有不是 UTF-8 编码的字符（常见于从旧的压缩包里解出的文件），"
         "在网址和终端里都无法正确显示。"),
        ("bad-file-name", "media/\\udcceļ\\udcfe.png",
         "文件名“\\udcceļ\\udcfe.png”里有不是 UTF-8 编码的字符"
         "（常见于从旧的压缩包里解出的文件），在网址和终端里都无法正确显示。"),
    ]


def test_control_characters_in_a_name_are_shown_as_escapes(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "content/media").mkdir()
    (site / "content/media/red\x1b[31mtext\nforged.png").write_bytes(b"\x89PNG")
    (site / "content/media/rtl\u202egnp.exe").write_bytes(b"x")
    (site / "content/stories/A\x07.md").write_text("x", encoding="utf-8")
    report = Report()
    load_sources(site / "content", report)
    files = sorted(d.as_dict()["file"] for d in report.items)
    assert files == ["media/red\\x1b[31mtext\\nforged.png", "media/rtl\\u202egnp.exe",
                     "stories/A\\x07.md"]
    assert all(d.code == "bad-file-name" for d in report.items)
    assert _raw_controls(report.format()) == []


def test_a_folder_with_a_bad_name_is_reported_once(tmp_path: Path) -> None:
    site = _site(tmp_path)
    folder = site / "content/media/new\tfolder"
    folder.mkdir(parents=True)
    for n in range(5):
        (folder / f"p{n}.txt").write_text("x", encoding="utf-8")
    report = Report()
    load_sources(site / "content", report)
    assert [(d.code, d.as_dict()["file"]) for d in report.items] == [
        ("bad-file-name", "media/new\\tfolder")]


@pytest.mark.parametrize(("target", "words"), [
    ("loop.png", "它指向自己（形成了循环），读不到任何文件"),
    ("missing.png", "它指向的文件不存在"),
])
def test_a_symlink_that_loops_or_leads_nowhere_is_a_located_error(tmp_path: Path, target: str,
                                                                  words: str) -> None:
    site = _site(tmp_path)
    (site / "content/media").mkdir()
    (site / "content/media/loop.png").symlink_to(target)  # loop.png → loop.png: a loop
    (site / "content/stories/linked.md").symlink_to("linked.md")
    report = Report()
    load_sources(site / "content", report)
    found = {(d.code, d.file, d.message()) for d in report.items}
    assert ("broken-symlink", "media/loop.png", f"这是一个符号链接（快捷方式），{words}。") in found
    assert ("broken-symlink", "stories/linked.md",
            "这是一个符号链接（快捷方式），它指向自己（形成了循环），读不到任何文件。") in found


def test_the_command_line_prints_no_traceback_and_no_control_character(tmp_path: Path) -> None:
    site = _site(tmp_path)
    (site / "content/media").mkdir()
    (site / "content/media/loop").symlink_to("loop")
    (site / "content/media/esc\x1b[2J\x1b[Hcleared.png").write_bytes(b"\x89PNG")
    with open(os.fsencode(site / "content/enterprises") + b"/bad\xff.yaml", "wb") as f:
        f.write(b"name: x\n")
    done = cli("build", str(site))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "media/esc\\x1b[2J\\x1b[Hcleared.png" in done.stderr
    assert "enterprises/bad\\udcff.yaml" in done.stderr and "media/loop" in done.stderr
    assert _raw_controls(done.stdout + done.stderr) == []


def test_format_escapes_every_part_a_terminal_would_obey() -> None:
    d = Diagnostic("bad-file-name", "media/a\x1b]0;title\x07\r.png", 2, 3, "k\n",
                   {"name": "a\x1b]0;title\x07\r.png", "problem": "\u202e"})
    shown = d.format() + d.format("en") + str(d.as_dict())
    assert _raw_controls(shown) == [] and "\u202e" not in shown
    assert d.location() == "media/a\\x1b]0;title\\x07\\r.png:2:3"
