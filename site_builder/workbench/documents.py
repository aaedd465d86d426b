"""A record's file as the workbench opens and writes it: the text split into front matter and
body, its parsed values with positions, a digest to notice edits made meanwhile, and an
atomic write that keeps the file's BOM and line endings."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_builder.core.diagnostics import Diagnostic, Report
from site_builder.core.positions import KeyPath, Positions
from site_builder.load.files import MAX_FILE_BYTES, split_front_matter
from site_builder.load.yamlpos import parse_yaml
from site_builder.workbench.changes import MISSING
from site_builder.workbench.kinds import RecordFile

BOM = "\ufeff"


class PathRefused(Exception):
    """A path that leads out of content/, or through a symbolic link."""


def safe_path(content_dir: Path, rel: str) -> Path:
    """content_dir/rel, refused unless it stays inside content/ with no link on the way."""
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") or "\\" in p or "\0" in p for p in parts):
        raise PathRefused(rel)
    root = os.path.realpath(content_dir)
    path = Path(content_dir, *parts)
    probe = Path(content_dir)
    for part in parts:  # no link anywhere on the way, the file itself included
        probe = probe / part
        if probe.is_symlink():
            raise PathRefused(rel)
    if not os.path.realpath(path).startswith(root + os.sep):
        raise PathRefused(rel)
    return path


@dataclass
class Opened:
    """One record's file (and an alliance's index.md) as it was when the form opened."""

    record: RecordFile
    exists: bool
    raw: bytes
    body_raw: bytes | None  # an alliance's index.md; None when there is none
    head: str  # a story's or page's first lines up to and with the opening ---
    yaml_text: str
    fence: str  # the closing --- line (empty for YAML files)
    body: str | None
    data: Any
    positions: Positions
    problems: list[Diagnostic]
    crlf: bool
    bom: bool
    readable: bool = True  # False: its YAML could not be read, the form would be empty

    @property
    def text(self) -> str:
        """The whole file as the text editor shows it."""
        return self.raw.decode("utf-8", "replace").removeprefix(BOM).replace("\r\n", "\n")

    def text_files(self, text: str) -> dict[str, bytes]:
        """The bytes of the whole file typed in the text editor, BOM and line endings kept."""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        data = self._encode(text if text.endswith("\n") else text + "\n")
        return {self.record.rel: data} if data != self.raw else {}

    @property
    def base(self) -> str:
        """What the form was made from: writing is refused if this changed meanwhile."""
        digest = hashlib.sha256(self.raw)
        digest.update(b"\0" + (self.body_raw if self.body_raw is not None else b"-"))
        return digest.hexdigest()

    def raw_value(self, path: KeyPath) -> Any:
        """A value as written in the file (text the YAML reader would make a number)."""
        shown = self.positions.raw.get(path)
        if shown is not None:
            return shown
        value = self.data
        for part in path:  # only into lists and mappings: "abc"[0] is not an item
            if not _has(value, part):
                return MISSING
            value = value[part]
        return value

    def files(self, yaml_text: str, body: str | None) -> dict[str, bytes]:
        """The bytes to write for new front matter and body (only files that change)."""
        out: dict[str, bytes] = {}
        text = self.head + yaml_text
        if self.record.front_matter:
            body = self.body if body is None else body
            text += (self.fence or "---") + "\n" + (body or "")
        data = self._encode(text)
        if data != self.raw or not self.exists:
            out[self.record.rel] = data
        if self.record.kind == "alliance" and body is not None:
            raw_body = self.body_raw or b""  # index.md keeps its own BOM and line endings
            new_body = _encode(body, b"\r\n" in raw_body, raw_body.startswith(BOM.encode())
                               ) if body.strip() else b""
            if new_body != (self.body_raw or b""):
                out[self.record.body_rel or ""] = new_body
        return out

    def _encode(self, text: str) -> bytes:
        return _encode(text, self.crlf, self.bom)


def _has(value: Any, part: str | int) -> bool:
    if isinstance(part, int):
        return isinstance(value, list) and 0 <= part < len(value)
    return isinstance(value, dict) and part in value


def _encode(text: str, crlf: bool, bom: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    return ((BOM if bom else "") + text).encode("utf-8")


def open_record(content_dir: Path, record: RecordFile) -> Opened:
    """Read a record's file (or nothing, for a new one) the way the build reads it."""
    path = safe_path(content_dir, record.rel)
    exists = path.is_file()
    raw = path.read_bytes() if exists else b""
    if len(raw) > MAX_FILE_BYTES:
        raise PathRefused(record.rel)
    body_raw = None
    if record.kind == "alliance":
        body_path = safe_path(content_dir, record.body_rel or "")
        body_raw = body_path.read_bytes() if body_path.is_file() else None
    text = raw.decode("utf-8", errors="replace")
    bom = text.startswith(BOM)
    text = text.removeprefix(BOM)
    crlf = "\r\n" in text
    text = text.replace("\r\n", "\n")
    report = Report()
    head, yaml_text, fence, body, offset = "", text, "", None, 0
    if record.front_matter:
        if not exists:
            head, fence, body = "---\n", "---", ""
        else:
            split = split_front_matter(text, record.rel, report)
            if split is not None:
                yaml_text, offset, body, body_line = split
                lines = text.split("\n")
                head = "\n".join(lines[:offset]) + "\n"
                fence = lines[body_line - 2]
                yaml_text = yaml_text + "\n" if offset < body_line - 2 else ""
    if record.kind == "alliance" and body_raw is not None:
        body = body_raw.decode("utf-8", errors="replace").removeprefix(BOM)
        body = body.replace("\r\n", "\n")
    parsed = parse_yaml(yaml_text, record.rel, report, offset) if not report.items else None
    data, positions = parsed if parsed is not None else ({}, Positions())
    return Opened(record, exists, raw, body_raw, head, yaml_text, fence, body,
                  data if isinstance(data, dict) else {}, positions, list(report.items),
                  crlf, bom, _readable(exists, yaml_text, parsed, report))


def _readable(exists: bool, yaml_text: str, parsed: Any, report: Report) -> bool:
    """Whether a form can edit the file: it was read without any slip (a slip the reader
    repaired, a full-width colon, say, would put the form's values and the text's spans at
    odds), and the plain YAML reader finds the spans of its values."""
    if not exists:
        return True
    # A note after a value (`role: 链主   # 待确认`) changes nothing YAML reads: still a form.
    slips = [d for d in report.items if d.code != "comment-after-value"]
    if slips or parsed is None or not isinstance(parsed[0], dict):
        return False
    try:
        yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    return True


def write_files(content_dir: Path, files: dict[str, bytes]) -> None:
    """Write each file whole or not at all: a temporary file beside it, then a rename.
    An empty body for an alliance's index.md removes the file."""
    for rel, data in files.items():
        path = safe_path(content_dir, rel)
        if not data and rel.endswith("/index.md"):
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        # A hidden name: the preview's watcher and the build skip it until the rename.
        fd, tmp = tempfile.mkstemp(prefix=".workbench-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
