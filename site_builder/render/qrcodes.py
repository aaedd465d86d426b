"""QR codes of page URLs, made at build time with zxing-cpp and written as one SVG <path>.

The printed brochure (一链一册) carries the page's address as a code a phone can scan. The
SVG has no width or height of its own: CSS sizes it, the viewBox keeps it square, and
`shape-rendering="crispEdges"` keeps the modules sharp at any size.

zxing-cpp encodes in C++ (0.15 ms a code, mask choice included); segno, pure Python, took
0.9 ms with one fixed mask: 13 CPU seconds of an 18,000-page build (every item page has one).
"""

from __future__ import annotations

import functools
import re

import zxingcpp

from site_builder.core.xmltext import escape
from site_builder.render.diagram import SVG_NS
from site_builder.render.svg import el

QUIET_ZONE = 4  # modules of light margin the QR standard asks for
ERROR_CORRECTION = "M"  # 15 % of the code may be smudged or torn on a printed page
_DARK_RUN = re.compile(rb"\x00+")  # zxing-cpp's image: 0 for a dark module, 255 for light


def qr_matrix(url: str) -> list[bytes]:
    """The code's modules, row by row (0 = dark, 255 = light), without the quiet zone.

    Always a full QR code (format QRCode), never a Micro QR, which many phone scanners
    cannot read. Text that is not Latin-1 is encoded as UTF-8 bytes with an ECI mark.
    """
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode,
                                   ec_level=ERROR_CORRECTION)
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    rows, cols = image.shape
    data = image.tobytes()
    return [data[y * cols:(y + 1) * cols] for y in range(rows)]


def qr_path(matrix: list[bytes], offset: int = QUIET_ZONE) -> str:
    """Path data for a 1-unit stroke along each horizontal run of dark modules.

    Runs are drawn along the middle of their row (y + 0.5); each move is relative to where
    the previous run ended, which keeps the path short (and whole numbers after the first).
    """
    out: list[str] = []
    cx = cy = 0  # the pen, after the previous run (its row, without the 0.5)
    for y, row in enumerate(matrix, start=offset):
        for run in _DARK_RUN.finditer(row):
            start, end = run.span()
            if out:
                out.append(f"m{start + offset - cx} {y - cy}h{end - start}")
            else:
                out.append(f"M{start + offset} {y}.5h{end - start}")
            cx, cy = end + offset, y
    return "".join(out)


@functools.lru_cache(maxsize=4096)  # pure: a rebuild in `serve` redraws none of them
def qr_svg(url: str, title: str) -> str:
    """An inline <svg> QR code of `url`; `title` is its accessible name (and tooltip).

    Size it with CSS (class `qr-svg`); it is square.
    """
    matrix = qr_matrix(url)
    size = len(matrix) + 2 * QUIET_ZONE
    content = (el("title", escape(title))
               + el("rect", width=str(size), height=str(size), fill="#fff")
               + el("path", d=qr_path(matrix), stroke="#000", stroke_width="1", fill="none"))
    return el("svg", content, xmlns=SVG_NS, class_="qr-svg", viewBox=f"0 0 {size} {size}",
              role="img", aria_label=title, shape_rendering="crispEdges")
