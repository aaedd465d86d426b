"""QR codes: the SVG, read back module by module, is the code of the URL and scans."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import zxingcpp  # a real QR decoder (test dependency): never skipped

from site_builder.render.qrcodes import QUIET_ZONE, qr_matrix, qr_svg
from tests.conftest import REPO, build

NS = "{http://www.w3.org/2000/svg}"
URLS = [
    "https://example.gov.cn/",
    "https://example.gov.cn/dangjian/alliances/zhangjiagang-three-chains/",
    "https://example.gov.cn/alliances/%E4%B8%AD%E6%96%87/?a=1&b=2#top",
    "https://例子.中国/联盟/链主/",  # non-ASCII: UTF-8 bytes
]


def modules(svg_text: str) -> list[list[bool]]:
    """Redraw the SVG's one path as a grid of modules (quiet zone included)."""
    svg = ET.fromstring(svg_text)
    size = int(svg.get("viewBox").split()[2])
    grid = [[False] * size for _ in range(size)]
    paths = list(svg.iter(NS + "path"))
    assert len(paths) == 1
    x = y = 0.0
    for cmd, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", paths[0].get("d")):
        if cmd == "M":
            x, y = float(a), float(b)
        elif cmd == "m":
            x, y = x + float(a), y + float(b)
        else:  # a run of dark modules along the middle of row y - 0.5
            for col in range(int(x), int(x + float(a))):
                grid[int(y - 0.5)][col] = True
            x += float(a)
    return grid


def test_svg_draws_exactly_the_encoders_modules() -> None:
    for url in URLS:
        grid = modules(qr_svg(url, "二维码"))
        expected = [[v == 0 for v in row] for row in qr_matrix(url)]  # 0 is dark
        inner = [row[QUIET_ZONE:-QUIET_ZONE] for row in grid[QUIET_ZONE:-QUIET_ZONE]]
        assert inner == expected, url
        # the quiet zone is light
        assert not any(grid[i][j] for i in range(len(grid)) for j in range(len(grid))
                       if min(i, j) < QUIET_ZONE or max(i, j) >= len(grid) - QUIET_ZONE)


def test_svg_scans_back_to_the_url() -> None:
    for url in URLS:
        grid = np.array(modules(qr_svg(url, "二维码")), dtype=bool)
        image = np.where(grid, 0, 255).astype(np.uint8)
        image = np.kron(image, np.ones((6, 6), dtype=np.uint8))  # 6 px a module
        found = zxingcpp.read_barcodes(image)
        assert [r.text for r in found] == [url]
        assert found[0].format == zxingcpp.BarcodeFormat.QRCode
        assert found[0].ec_level == "M"  # survives a smudged or torn print


def test_demo_alliance_page_code_scans() -> None:
    model = build(REPO, write=False).model
    url = model.config.absolute(model.get("alliance", "zhangjiagang-three-chains").url)
    grid = np.array(modules(qr_svg(url, "扫码访问")), dtype=bool)
    image = np.kron(np.where(grid, 0, 255).astype(np.uint8), np.ones((4, 4), dtype=np.uint8))
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]


def test_svg_is_compact_scalable_and_named() -> None:
    out = qr_svg(URLS[1], "扫码访问本页")
    svg = ET.fromstring(out)
    assert svg.get("role") == "img" and svg.get("aria-label") == "扫码访问本页"
    assert svg.find(NS + "title").text == "扫码访问本页"
    assert svg.get("class") == "qr-svg"
    _, _, w, h = svg.get("viewBox").split()
    assert w == h == str(len(qr_matrix(URLS[1])) + 2 * QUIET_ZONE)
    assert svg.get("width") is None and svg.get("height") is None  # CSS sizes it
    assert len(list(svg.iter(NS + "path"))) == 1
    assert len(out) < 4000


def test_title_is_escaped_and_output_deterministic() -> None:
    evil = '"><script>alert(1)</script>'
    out = qr_svg(URLS[0], evil)
    assert "<script" not in out
    assert ET.fromstring(out).find(NS + "title").text == evil
    assert qr_svg(URLS[1], "t") == qr_svg(URLS[1], "t")


def test_never_a_micro_qr_code() -> None:
    assert len(qr_matrix("https://a.cn/")) >= 21  # version 1 QR is 21 modules wide
