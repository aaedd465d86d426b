"""Files under media/ cannot script on the site's origin (issue #20, item 3), end to end."""

from __future__ import annotations

from tests.conftest import build

DIRTY_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8" '
             b'onload="alert(document.cookie)"><script>alert(1)</script>'
             b'<circle cx="4" cy="4" r="4" fill="#b3121b"/></svg>')
CLEAN_SVG = (b'<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" '
             b'width="8" height="8"><!-- logo --><rect width="8" height="8"/></svg>\n')


def test_svg_is_published_cleaned_and_a_clean_one_byte_for_byte(make_site) -> None:
    site = make_site({
        "content/media/dirty.svg": DIRTY_SVG,
        "content/media/clean.svg": CLEAN_SVG,
        "content/alliances/test-chain/mark.svg": DIRTY_SVG,
    })
    result = build(site)
    assert result.ok, result.report.format()
    out = site / "output"
    assert (out / "media/clean.svg").read_bytes() == CLEAN_SVG
    for published in (out / "media/dirty.svg", out / "alliances/test-chain/mark.svg"):
        data = published.read_bytes()
        assert b"script" not in data and b"onload" not in data and b"alert" not in data
        assert b'<circle cx="4" cy="4" r="4" fill="#b3121b"/>' in data


def test_the_repro_files_are_refused_and_the_old_output_stays(make_site) -> None:
    site = make_site({
        "content/media/x.svg": b"<svg onload=alert(1)><script>alert(2)</script></svg>",
        "content/media/evil.html": b"<script>alert(document.cookie)</script>",
        "content/media/evil.htm": b"<script>alert(1)</script>",
        "content/media/evil.xhtml": b"<html xmlns='http://www.w3.org/1999/xhtml'/>",
        "content/media/evil.xml": b"<x/>",
        "content/media/evil.js": b"alert(1)",
        "content/media/photo.png": b"<html><script>alert(1)</script></html>",
    })
    (site / "output").mkdir()
    (site / "output/keep.html").write_text("previous build", encoding="utf-8")
    result = build(site)
    assert [(d.code, d.file) for d in result.report.items] == [
        ("media-type", "media/evil.htm"), ("media-type", "media/evil.html"),
        ("media-type", "media/evil.js"), ("media-type", "media/evil.xhtml"),
        ("media-type", "media/evil.xml"), ("bad-image", "media/photo.png"),
        ("svg-invalid", "media/x.svg"),
    ]
    assert [p.name for p in (site / "output").iterdir()] == ["keep.html"]
