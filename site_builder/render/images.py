"""Responsive images: each cover, photo and logo in a few widths, WebP plus a fallback.

Variants get content-hashed names (`img/<hash>-960.webp`) so hosts may cache them forever.
SVG files are published cleaned of scripts when they hold any (svgclean). Encoding is
the slowest leaf of a build, so results are kept in `.cache/images/` keyed by the
source bytes and every setting that shapes them; a rebuild reuses them. Originals larger than
the largest width are re-encoded at that width in place, so no huge file is ever published.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from site_builder.core import cachefile
from site_builder.load.svgclean import clean_svg

if TYPE_CHECKING:  # Pillow is imported when an image is encoded (not when all are cached)
    from PIL import Image

WIDTHS = (480, 960, 1600)
QUALITY = 82
# A new Pillow may encode differently.
CACHE_VERSION = f"1-{cachefile.package_version('pillow', 'PIL')}"
RASTER = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP", ".gif": "GIF"}
MAX_ORIGINAL_BYTES = 600 * 1024  # above this, or wider than WIDTHS[-1], re-encode


@dataclass(frozen=True)
class Variant:
    path: str  # output path
    width: int
    mime: str


@dataclass(frozen=True)
class ImageInfo:
    """What a page needs to show one image well."""

    src: str  # the fallback (original format) at a middle width
    width: int
    height: int
    variants: tuple[Variant, ...]

    def srcset(self, mime: str) -> str:
        return ", ".join(f"{v.path} {v.width}w" for v in self.variants if v.mime == mime)

    @property
    def fallback_mime(self) -> str:
        return next(v.mime for v in self.variants if v.mime != "image/webp")


@dataclass(frozen=True)
class ProcessedImages:
    infos: dict[str, ImageInfo]  # content path → info
    files: dict[str, bytes]  # output path → bytes (variants, and re-encoded originals)


def process_images(paths: Iterable[str], content_dir: Path,
                   cache_dir: Path | None) -> ProcessedImages:
    """Make the variants of every raster image in `paths` (content-relative)."""
    infos: dict[str, ImageInfo] = {}
    files: dict[str, bytes] = {}
    for rel in sorted(set(paths)):
        suffix = PurePosixPath(rel).suffix.lower()
        if suffix == ".svg":
            # Scales by itself; published without what could script (load/svgclean.py).
            svg = clean_svg((content_dir / rel).read_bytes())
            if svg.cleaned and svg.data is not None:
                files[rel] = svg.data
            continue
        if suffix not in RASTER:
            continue
        data = (content_dir / rel).read_bytes()
        made = _cached(data, suffix, cache_dir)
        info = ImageInfo(made["src"], made["width"], made["height"], tuple(
            Variant(v["path"], v["width"], v["mime"]) for v in made["variants"]))
        infos[rel] = info
        files.update(made["files"])
        if made["original"] is not None:
            files[rel] = made["original"]
    return ProcessedImages(infos, files)


def _cached(data: bytes, suffix: str, cache_dir: Path | None) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    key = hashlib.sha256(f"{CACHE_VERSION}|{WIDTHS}|{QUALITY}|{suffix}|{digest}".encode()
                         ).hexdigest()[:32]
    folder = cache_dir / key if cache_dir else None
    if folder is not None and (folder / "done").is_file():
        return _read_cache(folder)
    made = _make(data, suffix, digest[:10])
    if folder is not None:
        _write_cache(folder, made)
    return made


def _make(data: bytes, suffix: str, name: str) -> dict:
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as opened:
        image = ImageOps.exif_transpose(opened)  # phone photos carry their rotation in EXIF
        image.load()
    width, height = image.size
    fmt = RASTER[suffix]
    fallback_fmt = "PNG" if fmt in ("PNG", "GIF") or image.mode in ("RGBA", "LA", "P") else "JPEG"
    ext = {"PNG": "png", "JPEG": "jpg"}[fallback_fmt]
    fallback_mime = "image/png" if ext == "png" else "image/jpeg"
    widths = [w for w in WIDTHS if w < width] + [min(width, WIDTHS[-1])]
    files: dict[str, bytes] = {}
    variants = []
    for w in dict.fromkeys(widths):
        h = round(height * w / width)
        resized = image if w == width else image.resize((w, h), Image.Resampling.LANCZOS)
        for out_fmt, out_ext, mime in (("WEBP", "webp", "image/webp"),
                                       (fallback_fmt, ext, fallback_mime)):
            path = f"img/{name}-{w}.{out_ext}"
            files[path] = _encode(resized, out_fmt)
            variants.append({"path": path, "width": w, "mime": mime})
    middle = [v for v in variants if v["mime"] != "image/webp"]
    src = min(middle, key=lambda v: abs(v["width"] - 960))["path"]
    original = None
    if width > WIDTHS[-1] or len(data) > MAX_ORIGINAL_BYTES:
        w = min(width, WIDTHS[-1])
        shrunk = image.resize((w, round(height * w / width)), Image.Resampling.LANCZOS)
        original = _encode(shrunk, fmt if fmt != "GIF" else "PNG")
    return {"src": src, "width": width, "height": height, "variants": variants,
            "files": files, "original": original}


def _encode(image: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=QUALITY, optimize=True,
                                  progressive=True)
    elif fmt == "WEBP":
        image.save(out, "WEBP", quality=QUALITY, method=4)
    else:
        image.save(out, fmt, optimize=True)
    return out.getvalue()


def _write_cache(folder: Path, made: dict) -> None:
    import json

    folder.mkdir(parents=True, exist_ok=True)
    for path, data in made["files"].items():
        (folder / PurePosixPath(path).name).write_bytes(data)
    if made["original"] is not None:
        (folder / "original").write_bytes(made["original"])
    meta = {k: made[k] for k in ("src", "width", "height", "variants")}
    meta["has_original"] = made["original"] is not None
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (folder / "done").write_text("", encoding="utf-8")  # written last: a whole entry or none


def _read_cache(folder: Path) -> dict:
    import json

    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    files = {v["path"]: (folder / PurePosixPath(v["path"]).name).read_bytes()
             for v in meta["variants"]}
    original = (folder / "original").read_bytes() if meta["has_original"] else None
    return {**meta, "files": files, "original": original}
