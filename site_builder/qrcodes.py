"""QR codes of page URLs, made at build time with segno and written as one SVG <path>.

The printed brochure (一链一册) carries the page's address as a code a phone can scan. The
SVG has no width or height of its own: CSS sizes it, the viewBox keeps it square, and
`shape-rendering="crispEdges"` keeps the modules sharp at any size.
"""

from __future__ import annotations

import functools
from xml.sax.saxutils import escape

import segno

from .diagram import SVG_NS, el

QUIET_ZONE = 4  # modules of light margin the QR standard asks for
QR_MASK = 0  # the checkerboard: no large one-colour blocks for any data


def qr_matrix(url: str) -> list[list[bool]]:
    """The code's modules, row by row (True = dark), without the quiet zone.

    Error correction M or better (segno raises it when that costs no extra size); never a
    Micro QR, which many phone scanners cannot read. One fixed mask: choosing the best of
    the eight (a score only, every mask is valid) took three quarters of the time, 16 s of
    a 6,000-page build, and scanners read either (tests decode every code with zxing).
    """
    qr = segno.make(url, error="m", micro=False, mask=QR_MASK)
    return [[bool(v) for v in row] for row in qr.matrix]


def qr_path(matrix: list[list[bool]], offset: int = QUIET_ZONE) -> str:
    """Path data for a 1-unit stroke along each horizontal run of dark modules.

    Runs are drawn along the middle of their row (y + 0.5); each move is relative to where
    the previous run ended, which keeps the path short.
    """
    out: list[str] = []
    cx, cy = 0.0, 0.0  # the pen, after the previous run
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if not row[x]:
                x += 1
                continue
            start = x
            while x < len(row) and row[x]:
                x += 1
            sx, sy = start + offset, y + offset + 0.5
            move = f"M{sx} {sy}" if not out else f"m{_n(sx - cx)} {_n(sy - cy)}"
            out.append(f"{move}h{x - start}")
            cx, cy = float(x + offset), sy
    return "".join(out)


def _n(v: float) -> str:
    return str(int(v)) if v == int(v) else str(v)


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
