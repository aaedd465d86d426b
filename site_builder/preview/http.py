"""HTTP: answer GET and HEAD from the live snapshot, only for the preview's own Host.

Nothing is read from disk: only built files are reachable. Every HTML response gets the
reload script and overlay; every response has `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
import mimetypes
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from site_builder.preview.hosts import HostPolicy, refusal
from site_builder.preview.live import STATUS_PATH, edit_link, inject, live_snippet, status_json
from site_builder.preview.state import LivePreview
from site_builder.workbench.app import Workbench, handles
from site_builder.workbench.services import MAX_FORM_BYTES, Request


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


# Fixed here rather than left to mimetypes, which differs between systems (.js, .webp).
_TYPES = MappingProxyType({
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript",
    ".json": "application/json", ".xml": "application/xml", ".txt": "text/plain",
    ".svg": "image/svg+xml", ".webp": "image/webp", ".geojson": "application/geo+json",
    ".webmanifest": "application/manifest+json", ".woff2": "font/woff2",
})
_TEXT_TYPES = ("application/json", "application/xml", "text/javascript", "image/svg+xml",
               "application/geo+json", "application/manifest+json")

_EMPTY_PAGE = ('<!doctype html>\n<html lang="zh-CN">\n<head><meta charset="utf-8">'
               "<title>site-builder 预览</title></head>\n<body>\n</body>\n</html>\n").encode()


def content_type(path: str) -> str:
    """The Content-Type of an output path, with charset=utf-8 for text."""
    suffix = Path(path).suffix.lower()
    kind = _TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    if kind.startswith("text/") or kind in _TEXT_TYPES:
        kind += "; charset=utf-8"
    return kind


def lookup(url_path: str, files: Mapping[str, bytes]) -> Response:
    """Find the file a URL path names in the built site; only built files are reachable."""
    segments = [s for s in unquote(url_path).split("/") if s]
    # Decoding first means %2e%2e and ..%2f are caught here too. The files come from a dict,
    # so nothing outside the site could be read anyway; refusing makes that plain.
    if any(s in (".", "..") or "\\" in s or "\0" in s for s in segments):
        return not_found(files)
    key = "/".join(segments)
    if url_path.endswith("/") or not segments:
        key = f"{key}/index.html" if key else "index.html"
    if key in files:
        return Response(HTTPStatus.OK, files[key], content_type(key))
    if f"{key}/index.html" in files:
        # Built from the segments, never from the raw path: '//host/x' must not redirect away.
        return Response(HTTPStatus.FOUND, location="/" + quote(key) + "/")
    return not_found(files)


def _page_key(url_path: str) -> str:
    """The built file a page's URL path names (enterprises/x/ → enterprises/x/index.html)."""
    key = "/".join(s for s in unquote(url_path).split("/") if s)
    return f"{key}/index.html" if key else "index.html"


def not_found(files: Mapping[str, bytes]) -> Response:
    """The site's own 404 page, or an empty page when no build has succeeded yet."""
    if not files:
        return Response(HTTPStatus.SERVICE_UNAVAILABLE, _EMPTY_PAGE)
    return Response(HTTPStatus.NOT_FOUND, files.get("404.html", _EMPTY_PAGE))


class PreviewHandler(BaseHTTPRequestHandler):
    """Answer GET and HEAD from the live snapshot; nothing is read from disk."""

    server: PreviewServer
    server_version = "site-builder"
    sys_version = ""

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_POST(self) -> None:
        if not self._host_allowed(head=False):
            return
        url = urlsplit(self.path)
        path = unquote(url.path)
        workbench = self.server.workbench
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1  # refused below, like a body too big
        if workbench is None or not handles(path) or not 0 <= length <= MAX_FORM_BYTES:
            status = (HTTPStatus.REQUEST_ENTITY_TOO_LARGE if length > MAX_FORM_BYTES
                      else HTTPStatus.BAD_REQUEST if length < 0 else HTTPStatus.METHOD_NOT_ALLOWED)
            self._send(Response(status, b"", "text/plain; charset=utf-8"), False)
            return
        body = self.rfile.read(length)
        self._send_reply(workbench.handle(Request("POST", path, url.query,
                                                  dict(self.headers.items()), body)))

    def _host_allowed(self, head: bool) -> bool:
        host = self.headers.get("Host")
        if self.server.hosts.allows(host, self.connection.getsockname()[0]):
            return True
        # Before anything else: a page on another name (DNS rebinding) reads nothing.
        body = refusal(self.server.url, host)
        self._send(Response(HTTPStatus.FORBIDDEN, body, "text/plain; charset=utf-8"), head)
        return False

    def _send_reply(self, reply: Any, head: bool = False) -> None:
        location = dict(reply.headers).get("Location")
        extra = tuple((k, v) for k, v in reply.headers if k != "Location")
        self._send(Response(reply.status, reply.body, reply.content_type, location, extra),
                   head)

    def _respond(self, head: bool) -> None:
        if not self._host_allowed(head):
            return
        url = urlsplit(self.path)
        workbench = self.server.workbench
        if workbench is not None and handles(unquote(url.path)):
            self._send_reply(workbench.handle(Request("GET", unquote(url.path), url.query,
                                                      dict(self.headers.items()))), head)
            return
        preview = self.server.preview
        if url.path == STATUS_PATH:
            seen = parse_qs(url.query).get("v", [""])[0]
            snap = preview.wait_for_change(seen) if seen and not head else preview.snapshot
            body = json.dumps(status_json(snap), ensure_ascii=False).encode()
            self._send(Response(HTTPStatus.OK, body, "application/json; charset=utf-8"), head)
            return
        snap = preview.snapshot  # one snapshot per request: the page and its build id agree
        response = lookup(url.path, snap.files)
        if response.location and url.query:
            response = Response(response.status, location=f"{response.location}?{url.query}")
        if response.content_type.startswith("text/html") and not response.location:
            snippet = live_snippet(snap)
            source = snap.sources.get(_page_key(url.path))
            if workbench is not None and source:
                snippet = edit_link(source) + snippet
            response = Response(response.status, inject(response.body, snippet),
                                response.content_type)
        self._send(response, head)

    def _send(self, response: Response, head: bool) -> None:
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            if response.location:
                self.send_header("Location", response.location)
            for name, value in response.headers:
                self.send_header(name, value)
            self.end_headers()
            if not head:
                self.wfile.write(response.body)
        except ConnectionError:
            pass  # the tab reloaded or closed while we answered: nothing to do

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the terminal for builds and problems, not one line per request."""


class PreviewServer(ThreadingHTTPServer):
    """A threaded HTTP server over one LivePreview."""

    daemon_threads = True
    preview: LivePreview
    workbench: Workbench | None = None  # the editing workbench (/_edit/, /_new/)
    hosts: HostPolicy
    url: str  # the address the refusal names

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # a browser dropped a connection: normal during reloads
        super().handle_error(request, client_address)


class PreviewServerV6(PreviewServer):
    address_family = socket.AF_INET6


def make_server(host: str, port: int) -> PreviewServer:
    """Bind the preview server to host:port (port 0: any free port); it refuses every Host
    until its `hosts` policy is set."""
    server_class = PreviewServerV6 if ":" in host else PreviewServer
    server = server_class((host, port), PreviewHandler)
    server.hosts = HostPolicy(0, frozenset())
    server.url = ""
    return server
