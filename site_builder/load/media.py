"""Which files media/ (and alliance folders) may publish: only kinds that cannot script.

A file under media/ is served from the site's own origin. Opened in a browser, an HTML,
XHTML, XML or JavaScript file (or an SVG with a script) would run with the site's pages
and cookies: anyone who can commit a file could then deface the site or act for its
readers. So a file is published only when its extension is on the allowlist below AND its
first bytes are what that extension promises (a `.png` that is really a web page is
refused: a host without `X-Content-Type-Options: nosniff` may sniff it as HTML). SVG is
cleaned by svgclean; raster images are identified by Pillow.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from site_builder.core.diagnostics import L, Report
from site_builder.load.svgclean import clean_svg

MAX_ASSET_BYTES = 30 * 1024 * 1024  # an image or attachment
MAX_IMAGE_PIXELS = 40_000_000  # decoding more would take seconds and gigabytes
_HEAD = 4096  # bytes read to identify a file (browsers sniff at most the first 1445)

# Pillow formats a browser shows (its JPEG reader also opens phones' MPO pictures).
WEB_RASTER_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
RASTER_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif"})

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old Office, WPS and encrypted new Office
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # docx/xlsx/pptx, OpenDocument, zip


def _starts(*magic: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(magic)


def _at(offset: int, *magic: bytes) -> Callable[[bytes], bool]:
    return lambda head: head[offset:offset + len(magic[0])] in magic


def _mp3(head: bytes) -> bool:
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF
                                       and head[1] & 0xE0 == 0xE0)


def _riff(kind: bytes) -> Callable[[bytes], bool]:
    return lambda head: head.startswith(b"RIFF") and head[8:12] == kind


_OFFICE = _starts(_OLE, *_ZIP)
_MP4 = _at(4, b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip")
_OGG = _starts(b"OggS")
_EBML = _starts(b"\x1a\x45\xdf\xa3")

# Extension → (what it is, how its first bytes look). Text files are checked apart.
_BINARY: dict[str, tuple[L, Callable[[bytes], bool]]] = {
    ".pdf": (L("PDF 文件", "a PDF file"), _starts(b"%PDF")),
    **{s: (L("Office/WPS 文档", "an office document"), _OFFICE) for s in (
        ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".wps", ".et", ".dps",
        ".odt", ".ods", ".odp")},
    ".mp3": (L("MP3 音频", "MP3 audio"), _mp3),
    ".m4a": (L("M4A 音频", "M4A audio"), _MP4),
    ".aac": (L("AAC 音频", "AAC audio"), _mp3),  # ADTS frames or an ID3 tag, like MP3
    ".wav": (L("WAV 音频", "WAV audio"), _riff(b"WAVE")),
    ".flac": (L("FLAC 音频", "FLAC audio"), _starts(b"fLaC", b"ID3")),
    ".ogg": (L("Ogg 音频", "Ogg audio"), _OGG),
    ".oga": (L("Ogg 音频", "Ogg audio"), _OGG),
    ".opus": (L("Opus 音频", "Opus audio"), _OGG),
    ".mp4": (L("MP4 视频", "MP4 video"), _MP4),
    ".m4v": (L("MP4 视频", "MP4 video"), _MP4),
    ".mov": (L("MOV 视频", "MOV video"), _MP4),
    ".webm": (L("WebM 视频", "WebM video"), _EBML),
    ".mkv": (L("MKV 视频", "MKV video"), _EBML),
    ".ogv": (L("Ogg 视频", "Ogg video"), _OGG),
    ".avi": (L("AVI 视频", "AVI video"), _riff(b"AVI ")),
    ".zip": (L("ZIP 压缩包", "a ZIP archive"), _starts(*_ZIP)),
    ".rar": (L("RAR 压缩包", "a RAR archive"), _starts(b"Rar!\x1a\x07")),
    ".7z": (L("7z 压缩包", "a 7z archive"), _starts(b"7z\xbc\xaf\x27\x1c")),
}
TEXT_SUFFIXES = frozenset({".txt", ".csv"})
MEDIA_SUFFIXES = frozenset(_BINARY) | TEXT_SUFFIXES | RASTER_SUFFIXES | {".svg"}

# A tag a browser sniffing for HTML would see (WHATWG MIME sniffing, Internet Explorer).
_TAG = re.compile(rb"<[A-Za-z!?/]")

_ALLOWED_LIST = ("图片（.jpg .jpeg .png .webp .gif .svg）、PDF、Office/WPS 文档（.doc .docx .xls "
                 ".xlsx .ppt .pptx .wps .et .dps .odt .ods .odp）、音频（.mp3 .m4a .aac .wav "
                 ".flac .ogg .oga .opus）、视频（.mp4 .m4v .mov .webm .mkv .ogv .avi）、"
                 "文本（.txt .csv）、压缩包（.zip .rar .7z）")
_ALLOWED_LIST_EN = ("images (.jpg .jpeg .png .webp .gif .svg), PDF, office documents (.doc "
                    ".docx .xls .xlsx .ppt .pptx .wps .et .dps .odt .ods .odp), audio (.mp3 "
                    ".m4a .aac .wav .flac .ogg .oga .opus), video (.mp4 .m4v .mov .webm .mkv "
                    ".ogv .avi), text (.txt .csv), archives (.zip .rar .7z)")

# Refused kinds worth their own words: (extensions, why, fix).
_REFUSED: tuple[tuple[frozenset[str], L, L], ...] = (
    (frozenset({".html", ".htm", ".xhtml", ".xht", ".shtml", ".mht", ".mhtml", ".hta"}),
     L("网页文件（{ext}）在浏览器里打开时，会以本站的名义运行其中的脚本",
       "a web page ({ext}) opened in a browser runs its scripts as this site"),
     L("网页的内容请写成 pages/ 里的 Markdown 页面；确实要原样提供下载的，请压缩成 .zip 再放进来。",
       "Write its content as a Markdown page in pages/; to offer the file itself for "
       "download, put it in a .zip.")),
    (frozenset({".xml", ".xsl", ".xslt", ".rss", ".atom", ".svgz"}),
     L("{ext} 文件可以带样式表和脚本，在浏览器里打开时以本站的名义运行",
       "a {ext} file can carry style sheets and scripts that run as this site"),
     L("请压缩成 .zip 再放进来；表格数据请另存为 .xlsx 或 .csv；.svgz 请解压成 .svg。",
       "Put it in a .zip; save tables as .xlsx or .csv; unpack .svgz to .svg.")),
    (frozenset({".js", ".mjs", ".vbs", ".jse", ".vbe", ".wsf", ".swf", ".jar", ".exe",
                ".bat", ".cmd", ".ps1", ".sh", ".msi", ".apk", ".dll", ".scr"}),
     L("{ext} 是程序或脚本，不能放在网站的内容里", "{ext} files are programs or scripts"),
     L("content/ 里只放内容；网站自己的脚本由管理员放在网站文件夹的 assets/ 里。",
       "content/ holds content only; the site's own scripts go in assets/ (administrators).")),
    (frozenset({".heic", ".heif", ".bmp", ".tif", ".tiff", ".avif", ".ico", ".psd", ".ai",
                ".eps", ".raw"}),
     L("{ext} 图片网页上显示不了", "{ext} images cannot be shown on web pages"),
     L("用图片软件把它另存为 .jpg 或 .png 再放进来。", "Save it as .jpg or .png.")),
)


def check_media(rel: str, abspath: Path, report: Report) -> None:
    """Refuse a file that is too big, not of an allowed kind, or not what its extension
    says; refuse an SVG that cannot be read and an image too big to decode safely."""
    size = abspath.stat().st_size
    if size > MAX_ASSET_BYTES:
        report.emit("file-too-large", rel, size=f"{size / 1048576:.1f}",
                    max=f"{MAX_ASSET_BYTES // 1048576}")
        return
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix not in MEDIA_SUFFIXES:
        _refuse(rel, suffix, report)
    elif suffix in RASTER_SUFFIXES:
        _check_raster(rel, abspath, report)
    elif suffix == ".svg":
        result = clean_svg(abspath.read_bytes())
        if result.problem is not None:
            report.emit("svg-invalid", rel, result.line, result.col, problem=result.problem)
    else:
        with abspath.open("rb") as f:
            head = f.read(_HEAD)
        found = _identify(suffix, head)
        if found is not None:
            report.emit("media-mismatch", rel, ext=suffix, found=found)


def _refuse(rel: str, suffix: str, report: Report) -> None:
    if suffix in (".md", ".markdown", ".yaml", ".yml"):
        # A content file in the wrong place, not an attachment: say where such files go.
        report.emit("unexpected-file", rel, expected=L(
            "这里的 .md 和 .yaml 文件不会被读取，也不会发布：联盟的介绍写在它文件夹里的 index.md，"
            "资料写在 alliance.yaml；案例、页面等放在各自的文件夹里；底稿请移到 content/ 外面。",
            "Markdown and YAML files here are neither read nor published: an alliance's text "
            "goes in its index.md, its data in alliance.yaml; stories and pages go in their "
            "folders; move drafts out of content/."))
        return
    allowed = L(f"可以发布的文件：{_ALLOWED_LIST}。", f"Files that can be published: "
                f"{_ALLOWED_LIST_EN}.")
    for suffixes, why, fix in _REFUSED:
        if suffix in suffixes:
            report.emit("media-type", rel,
                        why=L(why.zh.format(ext=suffix), why.en.format(ext=suffix)),
                        fix=L(fix.zh + allowed.zh, f"{fix.en} {allowed.en}"))
            return
    report.emit("media-type", rel, why=L(
        f"这种文件（{suffix or '没有扩展名'}）不在可以发布的类型之列",
        f"this kind of file ({suffix or 'no extension'}) is not one that can be published"),
        fix=L(f"{allowed.zh}其他文件请转换成这些格式，或压缩成 .zip。",
              f"{allowed.en} Convert others to one of these, or put them in a .zip."))


def _identify(suffix: str, head: bytes) -> L | None:
    """What is wrong with a file of `suffix` that begins with `head`; None if nothing."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f")
    if suffix in TEXT_SUFFIXES:
        if b"\0" in head:
            return L("它不是文本文件", "it is not a text file")
        if _TAG.search(head):
            return L("里面有 HTML 标签（“<”开头），浏览器可能把它当作网页打开",
                     "it holds HTML tags ('<…'): a browser may open it as a web page")
        return None
    what, looks_right = _BINARY[suffix]
    # Nothing of these kinds starts with '<': a file that does is markup (HTML, XML).
    if start.startswith(b"<"):
        return L(f"它其实是网页或 XML 文件（以“<”开头），不是 {what.zh}",
                 f"it is really a web page or XML (it starts with '<'), not {what.en}")
    if not looks_right(head):
        return L(f"它不是 {what.zh}", f"it is not {what.en}")
    return None


def _check_raster(rel: str, abspath: Path, report: Report) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        # Reads the header only; formats a browser cannot show are not identified.
        with Image.open(abspath, formats=WEB_RASTER_FORMATS) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        report.emit("bad-image", rel)
        return
    if width * height > MAX_IMAGE_PIXELS:
        report.emit("image-too-large", rel, width=width, height=height,
                    max=MAX_IMAGE_PIXELS // 1_000_000)
