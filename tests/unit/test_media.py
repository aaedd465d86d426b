"""media/ publishes only files that cannot script on the site's origin (issue #20, item 3)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from site_builder.core.diagnostics import Report
from site_builder.load.media import MEDIA_SUFFIXES, check_media
from site_builder.load.sources import load_sources


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, "PNG")
    return out.getvalue()


def _check(tmp_path: Path, name: str, data: bytes) -> list[tuple[str, str]]:
    path = tmp_path / name
    path.write_bytes(data)
    report = Report()
    check_media(f"media/{name}", path, report)
    return [(d.code, d.message()) for d in report.items]


# What the repro published verbatim: each ran on the site's origin when opened.
SCRIPTING = {
    "evil.html": b"<html><body><script>alert(document.cookie)</script></body></html>",
    "evil.htm": b"<script>alert(1)</script>",
    "evil.xhtml": b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "evil.xml": b'<?xml-stylesheet type="text/xsl" href="#"?><x><script>alert(1)</script></x>',
    "evil.js": b"alert(document.cookie)",
}


@pytest.mark.parametrize("name", sorted(SCRIPTING))
def test_web_pages_xml_and_scripts_in_media_are_refused_naming_the_fix(tmp_path: Path,
                                                                        name: str) -> None:
    ((code, message),) = _check(tmp_path, name, SCRIPTING[name])
    assert code == "media-type"
    assert message.startswith("不能发布这个文件：")
    ext = name[name.index("."):]
    assert ext in message


def test_refusal_hint_tells_what_to_do_and_what_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "evil.html"
    path.write_bytes(SCRIPTING["evil.html"])
    report = Report()
    check_media("media/evil.html", path, report)
    hint = report.items[0].hint()
    assert "pages/" in hint and ".zip" in hint and ".pdf" not in hint
    assert "PDF" in hint and ".docx" in hint and ".mp4" in hint


def test_unknown_kinds_are_refused_with_the_list_of_accepted_ones(tmp_path: Path) -> None:
    ((code, message),) = _check(tmp_path, "setup.exe", b"MZ\x90\x00")
    assert code == "media-type"
    ((code, message),) = _check(tmp_path, "photo.heic", b"\x00\x00\x00\x18ftypheic")
    assert (code, message) == ("media-type", "不能发布这个文件：.heic 图片网页上显示不了。")
    ((code, message),) = _check(tmp_path, "noextension", b"hello")
    assert code == "media-type" and "没有扩展名" in message


def test_markdown_or_yaml_among_media_is_a_misplaced_content_file(tmp_path: Path) -> None:
    ((code, _),) = _check(tmp_path, "notes.md", b"# x")
    assert code == "unexpected-file"


def test_a_png_whose_bytes_are_html_is_refused(tmp_path: Path) -> None:
    assert _check(tmp_path, "x.png", b"<html><script>alert(1)</script></html>") == [
        ("bad-image", "图片文件已损坏或不是它的扩展名所说的格式。")]


def test_an_image_of_a_format_browsers_cannot_show_is_refused_as_bad_image(tmp_path: Path
                                                                           ) -> None:
    out = io.BytesIO()
    Image.new("RGB", (4, 3)).save(out, "BMP")  # Pillow reads it; a web page cannot show it
    assert [c for c, _ in _check(tmp_path, "x.png", out.getvalue())] == ["bad-image"]


@pytest.mark.parametrize(("name", "data"), [
    ("report.pdf", b"<!doctype html><script>alert(1)</script>"),
    ("report.pdf", b"  \n<html><script>alert(1)</script>"),
    ("film.mp4", b"<!--ftyp--><script>alert(1)</script>"),  # 'ftyp' where MP4 has it
    ("list.docx", b"<html><body onload=alert(1)>"),
])
def test_a_file_whose_bytes_are_markup_is_refused_whatever_its_extension(
        tmp_path: Path, name: str, data: bytes) -> None:
    ((code, message),) = _check(tmp_path, name, data)
    assert code == "media-mismatch"
    assert "其实是网页或 XML 文件" in message


def test_a_file_that_is_not_what_its_extension_says_is_refused(tmp_path: Path) -> None:
    ((code, message),) = _check(tmp_path, "report.pdf", b"PK\x03\x04zipped")
    assert (code, message) == ("media-mismatch", "文件内容与扩展名 .pdf 不符：它不是 PDF 文件。")


ACCEPTED = {
    "a.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "a.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 8,
    "a.docx": b"PK\x03\x04\x14\x00\x06\x00",
    "a.xlsx": b"PK\x03\x04\x14\x00\x06\x00",
    "a.pptx": b"PK\x03\x04\x14\x00\x06\x00",
    "a.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.ppt": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.et": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.dps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "a.odt": b"PK\x03\x04",
    "a.ods": b"PK\x03\x04",
    "a.odp": b"PK\x03\x04",
    "a.mp3": b"ID3\x04\x00",
    "b.mp3": b"\xff\xfb\x90\x64",
    "a.m4a": b"\x00\x00\x00\x20ftypM4A ",
    "a.aac": b"\xff\xf1\x50\x80",
    "a.wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "a.flac": b"fLaC\x00\x00\x00\x22",
    "a.ogg": b"OggS\x00\x02",
    "a.oga": b"OggS\x00\x02",
    "a.opus": b"OggS\x00\x02",
    "a.mp4": b"\x00\x00\x00\x18ftypmp42",
    "a.m4v": b"\x00\x00\x00\x18ftypM4V ",
    "a.mov": b"\x00\x00\x00\x14ftypqt  ",
    "a.webm": b"\x1a\x45\xdf\xa3\x9f",
    "a.mkv": b"\x1a\x45\xdf\xa3\x9f",
    "a.ogv": b"OggS\x00\x02",
    "a.avi": b"RIFF\x24\x00\x00\x00AVI LIST",
    "a.zip": b"PK\x03\x04",
    "empty.zip": b"PK\x05\x06" + b"\0" * 18,
    "a.rar": b"Rar!\x1a\x07\x01\x00",
    "a.7z": b"7z\xbc\xaf\x27\x1c\x00\x04",
    "a.txt": "通知：请于 5 月 20 日前报送。\n".encode(),
    "a.csv": "名称,地址\n沙钢集团,张家港\n".encode(),
    "gbk.csv": "名称,地址\n沙钢集团,张家港\n".encode("gbk"),  # what Excel saves in China
    "bom.txt": "\ufeff第一行\r\n".encode(),
}


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_allowed_kinds_with_their_real_first_bytes_are_published(tmp_path: Path,
                                                                 name: str) -> None:
    assert _check(tmp_path, name, ACCEPTED[name]) == []


def test_every_allowed_kind_is_covered_by_the_test() -> None:
    tested = {name[name.rindex("."):] for name in ACCEPTED} | {".png", ".jpg", ".jpeg",
                                                                ".webp", ".gif", ".svg"}
    assert tested == MEDIA_SUFFIXES


def test_text_with_html_tags_is_refused_as_a_browser_may_sniff_it(tmp_path: Path) -> None:
    ((code, message),) = _check(tmp_path, "notes.txt", b"hello <script>alert(1)</script>")
    assert code == "media-mismatch" and "HTML 标签" in message
    assert [c for c, _ in _check(tmp_path, "t.csv", b"a,b\n1,<b>2</b>\n")] == ["media-mismatch"]
    assert [c for c, _ in _check(tmp_path, "bin.txt", b"\x00\x01binary")] == ["media-mismatch"]
    assert _check(tmp_path, "math.txt", "3 < 5，5 > 3\n".encode()) == []


def test_web_images_pass_and_keep_their_size_checks(tmp_path: Path) -> None:
    assert _check(tmp_path, "ok.png", _png()) == []
    out = io.BytesIO()
    Image.new("RGB", (4, 3)).save(out, "JPEG")
    assert _check(tmp_path, "ok.jpg", out.getvalue()) == []
    assert _check(tmp_path, "jpeg-named.png", out.getvalue()) == []  # browsers show it


def test_every_asset_location_is_checked(tmp_path: Path) -> None:
    content = tmp_path / "content"
    for folder in ("media/files", "alliances/a", "enterprises", "stories", "stations"):
        (content / folder).mkdir(parents=True)
    (content / "site.yaml").write_text("title: T\nbase_url: https://e.org/\n", "utf-8")
    (content / "alliances/a/alliance.yaml").write_text("name: A\n", "utf-8")
    (content / "media/files/evil.html").write_bytes(SCRIPTING["evil.html"])
    (content / "alliances/a/evil.htm").write_bytes(SCRIPTING["evil.htm"])
    (content / "alliances/a/intro.pdf").write_bytes(ACCEPTED["a.pdf"])
    (content / "enterprises/logo.png").write_bytes(SCRIPTING["evil.html"])
    (content / "stories/x.svg").write_bytes(b"<html><script>alert(1)</script></html>")
    (content / "stations/photo.gif").write_bytes(_png())  # a PNG named .gif: shown fine
    report = Report()
    load_sources(content, report)
    assert sorted((d.code, d.file) for d in report.items) == [
        ("bad-image", "enterprises/logo.png"),
        ("media-type", "alliances/a/evil.htm"),
        ("media-type", "media/files/evil.html"),
        ("svg-invalid", "stories/x.svg"),
    ]
