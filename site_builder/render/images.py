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
    # The code's own digest too: one policy for every memo (cachefile.code_stamp).
    key = hashlib.sha256(f"{CACHE_VERSION}|{cachefile.code_stamp()}|{WIDTHS}|{QUALITY}|"
                         f"{suffix}|{digest}".encode()).hexdigest()[:32]
    folder = cache_dir / key if cache_dir else None
    if folder is not None:
        kept = _read_cache(folder)
        if kept is not None:
            return kept
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
    """Keep `made` in `folder` with the digest of every file, written beside it and moved
    into place whole: a reader sees a complete entry or none (two builds may make the same
    entry at once)."""
    import json
    import os
    import shutil

    tmp = folder.with_name(f".{folder.name}.{os.getpid()}")
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        files = dict(made["files"])
        if made["original"] is not None:
            files["original"] = made["original"]
        for path, data in files.items():
            (tmp / PurePosixPath(path).name).write_bytes(data)
        meta = {k: made[k] for k in ("src", "width", "height", "variants")}
        meta["has_original"] = made["original"] is not None
        meta["digests"] = {PurePosixPath(path).name: hashlib.sha256(data).hexdigest()
                           for path, data in files.items()}
        text = json.dumps(meta, sort_keys=True)
        # The meta's own digest on its last line: a damaged meta.json is a miss too.
        check = hashlib.sha256(text.encode()).hexdigest()
        (tmp / "meta.json").write_text(f"{text}\n{check}\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a damaged entry, made again
        os.replace(tmp, folder)
    except OSError:  # a read-only .cache/, or another build's entry just moved in
        shutil.rmtree(tmp, ignore_errors=True)


def _read_cache(folder: Path) -> dict | None:
    """The entry kept in `folder`, or None when there is none or any part of it is not
    what was written (each file is checked against its recorded digest)."""
    import json

    try:
        text, check = (folder / "meta.json").read_text(encoding="utf-8").splitlines()
        if hashlib.sha256(text.encode()).hexdigest() != check:
            return None
        meta = json.loads(text)
        digests = meta["digests"]

        def read(name: str) -> bytes:
            data = (folder / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != digests[name]:
                raise ValueError(f"{name}: not the bytes made")
            return data

        files = {v["path"]: read(PurePosixPath(v["path"]).name) for v in meta["variants"]}
        original = read("original") if meta["has_original"] else None
        info = {k: meta[k] for k in ("src", "width", "height", "variants")}
        return {**info, "files": files, "original": original}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
