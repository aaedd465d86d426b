"""The small answers the form's script asks for, and the request and reply the preview's
HTTP handler exchanges with the workbench."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from site_builder.core.diagnostics import Report
from site_builder.render.markdown import MarkdownRenderer
from site_builder.workbench import coordinates, uploads
from site_builder.workbench.catalog import catalog
from site_builder.workbench.editing import propose_slug
from site_builder.workbench.kinds import record_file

HERE = Path(__file__).parent
MAX_FORM_BYTES = 32 * 1024 * 1024  # a phone photo of up to 30 MB, with room to spare
# Workbench pages run only their own scripts; tiles may come from the map's own servers.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob: https: http:; connect-src 'self'; frame-ancestors 'none'; "
       "form-action 'self'; base-uri 'none'")


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # decoded URL path
    query: str
    headers: Mapping[str, str]
    body: bytes = b""
    files: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)  # multipart uploads


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def one(form: Mapping[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


def json_reply(status: int, data: Any) -> Reply:
    return Reply(status, json.dumps(data, ensure_ascii=False).encode(),
                 "application/json; charset=utf-8")



def markdown_reply(known_paths: Iterable[str], text: str) -> Reply:
    """The body's live preview, rendered as the build renders Markdown."""
    known = frozenset(k.removesuffix("index.html") for k in known_paths)
    html = MarkdownRenderer(known, Report()).render(text, root="/")
    return Reply(200, html.encode(), headers=(("Content-Security-Policy", CSP),))

def position_reply(form: Mapping[str, list[str]]) -> Reply:
    """A pasted position read, or a map click converted, into the file's datum."""
    target = one(form, "to") or "wgs84"
    try:
        if one(form, "text"):
            source = one(form, "source") or "gaode"
            datum = coordinates.SOURCES.get(source, ("wgs84", ""))[0]
            lat, lon = coordinates.parse_position(one(form, "text") or "", source)
        else:
            datum = one(form, "from") or "wgs84"
            lat, lon = float(one(form, "lat") or ""), float(one(form, "lon") or "")
        lat, lon = coordinates.convert(lat, lon, datum, target)
    except coordinates.PositionError as exc:
        return json_reply(422, {"error": exc.zh})
    except ValueError:
        return json_reply(422, {"error": "没有读到坐标。"})
    return json_reply(200, {"lat": lat, "lon": lon})

def upload_reply(content_dir: Path, req: Request) -> Reply:
    """A dropped photo stored under content/ (the record's folder or media/)."""
    params = parse_qs(req.query)
    record = record_file(one(params, "record") or "")
    if record is not None and not (content_dir / record.rel).is_file():
        record = None  # a record not written yet keeps its photos in media/
    folder = content_dir / (record.folder if record else "media")
    name = req.headers.get("X-File-Name", "image")
    try:
        stored = uploads.store_image(req.body, unquote(name), folder, content_dir)
    except uploads.UploadError as exc:
        return json_reply(422, {"error": exc.zh})
    return json_reply(200, {"reference": stored.reference, "width": stored.width,
                       "height": stored.height})

def slug_reply(content_dir: Path, kind: str, name: str) -> Reply:
    """A new record's file name proposed from its name's pinyin."""
    entries = catalog(content_dir, None).get(kind, [])
    return json_reply(200, {"slug": propose_slug(name, {e.record.slug for e in entries})})

def static_reply(name: str) -> Reply:
    """The workbench's own script and style."""
    path = HERE / "static" / name
    if "/" in name or not path.is_file():
        return Reply(404, b"not found", "text/plain; charset=utf-8")
    kind = {".js": "text/javascript", ".css": "text/css"}.get(
        path.suffix, mimetypes.guess_type(name)[0] or "application/octet-stream")
    return Reply(200, path.read_bytes(), kind + "; charset=utf-8")
