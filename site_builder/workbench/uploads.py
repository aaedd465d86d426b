"""Images dropped on a form: checked by their content, made fit to publish (turned upright,
at most 4,000 px a side, with no EXIF: a phone's photo carries where it was taken), named
in ASCII and written whole into content/media/ or a record's folder.

What is accepted is what the build accepts (load/media.py): JPEG, PNG, WebP and GIF, at
most MAX_ASSET_BYTES and MAX_IMAGE_PIXELS. A file store_image writes passes check_media.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from site_builder.core.pinyin import term_slug
from site_builder.load.media import MAX_ASSET_BYTES, MAX_IMAGE_PIXELS, WEB_RASTER_FORMATS
from site_builder.workbench.inputerror import InputError

MAX_SIDE = 4000  # larger photos only make pages slow: a screen shows at most about 2,500 px
JPEG_QUALITY = 88  # indistinguishable from the phone's own on a page, a third of its size
# Pillow's format → the extension the file gets (MPO: a phone's JPEG with a second frame).
_SUFFIX = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp", "GIF": ".gif"}
# Keys of Image.info that say how to show the picture, and nothing about who took it where.
# Anything else (exif, xmp, comment, photoshop/IPTC, PNG text chunks…) means re-encoding.
_HARMLESS = frozenset({"jfif", "jfif_version", "jfif_unit", "jfif_density", "dpi", "adobe",
                       "adobe_transform", "progressive", "progression", "icc_profile",
                       "transparency", "gamma", "srgb", "chromaticity", "aspect", "version",
                       "background", "duration", "loop", "interlace", "disposal",
                       "blend", "bbox", "default_image"})
_KEPT = ("icc_profile", "transparency")  # what re-encoding carries over: colours, alpha
# ISO base media brands of the picture formats phones and new cameras write.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_naming = threading.Lock()  # the preview serves forms from threads: one name, one file

_SAVE_AS_JPG = ("请用图片软件（如画图、美图秀秀、Photoshop）另存为 .jpg 或 .png 再上传。",
                "Save it as .jpg or .png in an image editor and upload that.")


class UploadError(InputError):
    """The file cannot be published."""


@dataclass(frozen=True)
class StoredImage:
    path: Path  # where it was written (or the identical file found there)
    reference: str  # what a content file writes: /media/<name>, or <name> in a record folder
    width: int
    height: int


def store_image(data: bytes, filename: str, folder: Path, content_dir: Path) -> StoredImage:
    """Check, clean and write an uploaded image into `folder` (inside `content_dir`)."""
    target, reference_base = _place(folder, content_dir)
    if len(data) > MAX_ASSET_BYTES:
        raise UploadError(
            f"“{filename}”有 {len(data) / 1048576:.1f} MB，超过了网站能发布的 "
            f"{MAX_ASSET_BYTES // 1048576} MB。请用图片软件缩小或压缩后再上传。",
            f"'{filename}' is {len(data) / 1048576:.1f} MB, over the site's limit of "
            f"{MAX_ASSET_BYTES // 1048576} MB. Shrink or compress it, then upload it again.")
    fmt = _identify(data, filename)
    out, width, height = _clean(data, filename, fmt)
    name = _base_name(filename) + _SUFFIX[fmt]
    target.mkdir(parents=True, exist_ok=True)
    with _naming:
        path = _write(out, target, name)
    return StoredImage(path, reference_base + path.name, width, height)


def _place(folder: Path, content_dir: Path) -> tuple[Path, str]:
    """The real folder to write into, and the prefix of a reference to a file in it."""
    root = content_dir.resolve()
    # resolve() follows every link, so a folder linked to outside content/ lands outside.
    target = folder.resolve()
    if not target.is_relative_to(root):
        raise UploadError(
            f"图片只能存进网站的 content/ 文件夹，而“{folder}”在它外面（或是指向外面的链接）。",
            f"Images are stored inside the site's content/ folder; '{folder}' is outside it "
            f"(or a link that leads outside).")
    parts = target.relative_to(root).parts
    if parts[:1] == ("media",):
        return target, "/" + "/".join(parts) + "/"
    if len(parts) >= 2 and parts[0] == "alliances":
        # Relative to the alliance's folder, where alliance.yaml reads it from.
        return target, "".join(p + "/" for p in parts[2:])
    raise UploadError(
        f"图片只能存进 content/media/ 或某个联盟的文件夹（content/alliances/<联盟>/），"
        f"不能存进“{'/'.join(parts) or 'content/'}”。",
        f"Images go in content/media/ or an alliance's folder (content/alliances/<slug>/), "
        f"not in '{'/'.join(parts) or 'content/'}'.")


def _identify(data: bytes, filename: str) -> str:
    """The picture's format, read from its header; refuse what a page cannot show and
    pictures too big to decode (before decoding them)."""
    _refuse_iso_media(data, filename)
    try:
        # Every format Pillow knows, so that a TIFF or BMP is named in the message. Only the
        # header is read here; nothing but the web's four formats is ever decoded (_clean).
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format or "", image.size
    except Image.DecompressionBombError:  # over twice Pillow's own limit: no size to show
        raise _too_many_pixels(filename, "") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise _not_an_image(filename) from None
    if fmt not in WEB_RASTER_FORMATS and fmt != "MPO":
        raise UploadError(
            f"“{filename}”是 {fmt} 格式的图片，网页上显示不了。{_SAVE_AS_JPG[0]}",
            f"'{filename}' is a {fmt} image, which web pages cannot show. {_SAVE_AS_JPG[1]}")
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(filename, f"{width}×{height}")
    return fmt


def _not_an_image(filename: str) -> UploadError:
    return UploadError(
        f"“{filename}”不是图片（或者文件已损坏），网页上显示不了。{_SAVE_AS_JPG[0]}"
        f"文档、表格请作为附件放进 media/。",
        f"'{filename}' is not an image (or it is damaged). {_SAVE_AS_JPG[1]} Documents "
        f"and tables go into media/ as attachments.")


def _too_many_pixels(filename: str, size: str) -> UploadError:
    limit = MAX_IMAGE_PIXELS // 1_000_000
    return UploadError(
        f"“{filename}”的像素太多{f'（{size}）' if size else ''}，超过了 {limit} 百万像素，"
        f"打开它会非常慢。请先用图片软件缩小到 {MAX_SIDE} 像素以内再上传。",
        f"'{filename}' has too many pixels{f' ({size})' if size else ''}, over {limit} "
        f"megapixels. Shrink it to {MAX_SIDE} px a side first.")


def _refuse_iso_media(data: bytes, filename: str) -> None:
    """HEIC (iPhones' default) and AVIF: named by their ftyp box, which Pillow cannot read."""
    if data[4:8] != b"ftyp":
        return
    brands = {data[8:12]} | {data[i:i + 4] for i in range(16, min(len(data), 64), 4)}
    # AVIF files list mif1 (HEIF's general brand) too: their own brand decides first.
    if brands & _AVIF_BRANDS:
        raise UploadError(f"“{filename}”是 AVIF 格式的图片，不是所有浏览器都能显示。"
                          f"{_SAVE_AS_JPG[0]}",
                          f"'{filename}' is an AVIF image, which not every browser shows. "
                          f"{_SAVE_AS_JPG[1]}")
    if brands & _HEIF_BRANDS:
        raise UploadError(
            f"“{filename}”是 HEIC 格式的照片（苹果手机默认格式），网页上显示不了。请在手机"
            f"“设置→相机→格式”里选“兼容性最佳”，或用图片软件另存为 .jpg 再上传。",
            f"'{filename}' is a HEIC photo (iPhones' default), which web pages cannot show. "
            f"On the phone choose Settings → Camera → Formats → Most Compatible, or save it "
            f"as .jpg, and upload it again.")
    raise UploadError(f"“{filename}”是视频或 HEIF 类文件，不是网页能显示的图片。{_SAVE_AS_JPG[0]}",
                      f"'{filename}' is a video or HEIF-type file, not an image web pages "
                      f"show. {_SAVE_AS_JPG[1]}")


def _clean(data: bytes, filename: str, fmt: str) -> tuple[bytes, int, int]:
    """The bytes to publish: unchanged when already fit, else upright, at most MAX_SIDE a
    side and stripped of metadata. Either way the picture is decoded once: a truncated or
    damaged file is refused here rather than published half grey."""
    try:
        with Image.open(io.BytesIO(data), formats=(*WEB_RASTER_FORMATS, "MPO")) as image:
            image.load()
            return _fit(image, data, filename, fmt)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, UploadError):
            raise
        raise _not_an_image(filename) from None


def _fit(image: Image.Image, data: bytes, filename: str, fmt: str) -> tuple[bytes, int, int]:
    width, height = image.size
    fits = max(width, height) <= MAX_SIDE
    if fits and fmt != "MPO" and _plain(image.info) and not image.getexif():
        # Nothing to remove or shrink: re-encoding would only lose quality (JPEG) or time.
        return data, width, height
    if getattr(image, "n_frames", 1) > 1 and fmt != "MPO":
        # Resizing each frame of an animation and keeping its timing is not worth its code
        # here: staff upload photos. Refused, with the fix.
        raise UploadError(
            f"“{filename}”是动图，而且太大（{width}×{height}）或带有拍摄信息，"
            f"不能直接发布。请用图片软件把它缩小到 {MAX_SIDE} 像素以内，或另存为 .jpg。",
            f"'{filename}' is an animation that is too large ({width}×{height}) or "
            f"carries metadata. Shrink it below {MAX_SIDE} px or save it as .jpg.")
    return _reencode(image, fmt, data)


def _plain(info: dict[str, object]) -> bool:
    """Whether Image.info holds nothing but how to show the picture."""
    # A GIF's application extension: the loop count of an animation is harmless; any other
    # (XMP…) may say anything.
    extension = info.get("extension")
    if extension is not None and not (isinstance(extension, tuple) and extension
                                      and extension[0] in (b"NETSCAPE2.0", b"ANIMEXTS1.0")):
        return False
    return set(info) - {"extension"} <= _HARMLESS


def _reencode(image: Image.Image, fmt: str, data: bytes) -> tuple[bytes, int, int]:
    kept = {k: image.info[k] for k in _KEPT if k in image.info}
    out = ImageOps.exif_transpose(image)  # a copy, turned as the camera meant it
    if out.mode in ("P", "1") and max(out.size) > MAX_SIDE:
        # A palette resizes by nearest pixel only: resize in full colour instead.
        out = out.convert("RGBA" if "transparency" in kept else "RGB")
        kept.pop("transparency", None)
    out.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    # Only what was chosen goes back: Pillow's savers also read Image.info (a JPEG comment,
    # a PNG's exif), so a left-over key would publish what was meant to be removed.
    out.info = kept
    buf = io.BytesIO()
    options: dict[str, object] = {"icc_profile": kept.get("icc_profile")}
    if fmt in ("JPEG", "MPO"):
        options.update(quality=JPEG_QUALITY, optimize=True, progressive=True)
        if out.mode not in ("L", "RGB", "CMYK"):
            out = out.convert("RGB")
        out.save(buf, "JPEG", **options)
    elif fmt == "WEBP":
        options.update(quality=JPEG_QUALITY, lossless=_webp_lossless(data), method=4)
        out.save(buf, "WEBP", **options)
    else:  # PNG, or a one-frame GIF
        if "transparency" in kept:
            options["transparency"] = kept["transparency"]
        out.save(buf, fmt, **{k: v for k, v in options.items() if v is not None})
    return buf.getvalue(), out.width, out.height


def _webp_lossless(data: bytes) -> bool:
    """Whether a WebP holds a lossless picture (a screenshot, a logo): kept lossless."""
    return b"VP8L" in data[12:4096] and b"VP8 " not in data[12:4096]


def _base_name(filename: str) -> str:
    """IMG_2034.HEIC → img-2034; 联盟合影 2.jpg → lianmengheying-2: ASCII, lower case."""
    stem = re.split(r"[\\/]", filename)[-1]  # a browser may send C:\…\name.jpg
    stem = unicodedata.normalize("NFKC", stem).rsplit(".", 1)[0] if "." in stem[1:] else stem
    return term_slug(stem.strip())  # never empty: symbols only give t-<digest>


def _write(out: bytes, folder: Path, name: str) -> Path:
    """Write `out` as `name` (or name-2, name-3… if another file has it), or return the
    identical file already there. Atomically: a reader never sees half a picture."""
    stem, suffix = name[: -len(Path(name).suffix)], Path(name).suffix
    n = 1
    while True:
        path = folder / (name if n == 1 else f"{stem}-{n}{suffix}")
        if not path.exists() and not path.is_symlink():
            break
        if path.is_file() and not path.is_symlink() and path.read_bytes() == out:
            return path
        n += 1
    # A dot name: the build and the watcher skip it, should a crash leave it behind.
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".tmp", dir=folder)
    try:
        # mkstemp makes the file private (0600); a published picture is read by everyone.
        os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(out)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
