"""Load: find content files by kind, decode them, and parse YAML keeping every position."""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from site_builder.core.cachefile import stamp_of
from site_builder.core.diagnostics import Report
from site_builder.core.forkpool import can_fork, in_order
from site_builder.core.pinyin import remember_sort_keys, sort_key
from site_builder.load.filenames import check_link, check_name
from site_builder.load.files import is_ignored, read_body, read_record, walk_files
from site_builder.load.media import check_media
from site_builder.load.sourcedoc import (
    AssetFile,
    DocMemo,
    SourceDoc,
    Sources,
    doc_from_row,
    doc_to_row,
)

IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg"})
YAML_SUFFIXES = (".yaml", ".yml")

# Kind folder -> (kind, file suffixes of its records). Alliances are folders, handled apart.
RECORD_FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "enterprises": ("enterprise", YAML_SUFFIXES),
    "stories": ("story", (".md", ".markdown")),
    "stations": ("station", YAML_SUFFIXES),
    "listings": ("listing", YAML_SUFFIXES),
    "pages": ("page", (".md", ".markdown")),
}


# Below this many files to parse, starting processes costs more than it saves: at N=30
# (1,800 files) parsing, validating and linking took 0.48 s with two workers and 0.41 s
# without; at N=100 (6,100) 1.10 s against 1.23 s.
PARALLEL_MIN_FILES = 3000
_READ_CHUNK = 128


_UNKNOWN = (-1, -1, -1)  # a file's stamp not known yet


def load_sources(content_dir: Path, report: Report, memo: DocMemo | None = None,
                 jobs: int = 1,
                 check: Callable[[SourceDoc], tuple[Any, ...] | None] | None = None
                 ) -> Sources:
    """Read every content file under `content_dir`, reporting what cannot be read.

    With a `memo`, a file whose size, time and inode are as last time is not read again
    (only files that were read without any problem are remembered). With `jobs` > 1, many
    files are parsed in that many forked processes (YAML with positions is CPU work).
    `check`: what the parse workers also make of each document they read without a
    problem (its validation row, kept in Sources.validated)."""
    walk = _Walk(content_dir, report, memo)
    for rel, abspath, linked in walk_files(content_dir):
        walk.classify(rel, abspath, linked, _UNKNOWN)
    todo = walk.todo
    jobs = min(jobs, len(todo) // _READ_CHUNK + 1)
    validated: dict[str, tuple[Any, ...]] = {}
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES and can_fork():
        _CHECK[:] = [check] if check is not None else []
        read = _read_parallel([t[1:6] for t in todo], jobs, validated)
    else:
        read = (_read_one(*t[1:6]) for t in todo)
    for (index, _r, _a, rel, _k, _s, stamp), (doc, problems) in zip(todo, read, strict=True):
        walk.docs[index] = doc
        report.extend(problems)
        if memo is not None and stamp is not None and not problems:
            walk.fresh[rel] = (stamp, doc)
    _check_folders(content_dir, walk, report)
    if memo is not None:
        memo.clear()
        memo.update(walk.fresh)
    return Sources(walk.site, tuple(d for d in walk.docs if d is not None),
                   tuple(walk.assets), content_dir, validated)


Stamp = tuple[int, int, int]


class _Walk:
    """What the walk of content/ found: site.yaml, documents (reused from the memo, or to
    parse: `todo`), and assets."""

    def __init__(self, content_dir: Path, report: Report, memo: DocMemo | None) -> None:
        self.report, self.memo = report, memo
        self.real_root = os.path.realpath(content_dir)
        self.site: SourceDoc | None = None
        self.docs: list[SourceDoc | None] = []
        self.assets: list[AssetFile] = []
        self.fresh: DocMemo = {}
        # Files to parse: (index in docs, reader, path, rel, kind, slug, stamp or None).
        self.todo: list[tuple[int, str, str, str, str, str, Stamp | None]] = []

    def classify(self, rel: str, abspath: str, linked: bool, stamp: Stamp | None) -> None:
        """Take one file of content/ by where it lies: a record, a body, an asset or a
        mistake."""
        report = self.report
        if not check_name(rel, report) or (linked and not check_link(rel, abspath, report)):
            return
        real = os.path.realpath(abspath) if linked else self.real_root + os.sep + rel
        if not real.startswith(self.real_root + os.sep):
            # A link to a file outside content/ would publish whatever it points at.
            report.emit("path-escape", rel, value=rel)
            return
        parts = rel.split("/")  # walk_files gives forward slashes
        stem, suffix = os.path.splitext(parts[-1])
        top = parts[0]
        if len(parts) == 1:
            if parts[0].lower() in ("site.yaml", "site.yml"):
                self.site = read_record(Path(abspath), rel, "site", "site", report)
            elif parts[0].lower() != "glossary.yaml":  # that one: validate/glossary.py
                _unexpected(rel, report)
        elif top == "media":
            self.assets.append(AssetFile(rel, Path(abspath)))
        elif top == "alliances":
            self._in_alliance(rel, abspath, parts, stamp)
        elif top in RECORD_FOLDERS and len(parts) == 2:
            kind, suffixes = RECORD_FOLDERS[top]
            if suffix.lower() in suffixes:
                self._wanted("record", abspath, rel, kind, stem, stamp)
            elif suffix.lower() in IMAGE_SUFFIXES:
                self.assets.append(AssetFile(rel, Path(abspath)))
            else:
                _unexpected(rel, report)
        else:
            _unexpected(rel, report)

    def _in_alliance(self, rel: str, abspath: str, parts: list[str],
                     stamp: Stamp | None) -> None:
        if len(parts) != 3:
            _unexpected(rel, self.report)
            return
        slug, name = parts[1], parts[2].lower()  # Index.md on Windows is index.md
        if name in ("alliance.yaml", "alliance.yml"):
            self._wanted("record", abspath, rel, "alliance", slug, stamp)
        elif name in ("index.md", "index.markdown"):
            self._wanted("body", abspath, rel, "alliance_body", slug, stamp)
        else:
            # Any other file in an alliance folder belongs to it (images, PDFs).
            self.assets.append(AssetFile(rel, Path(abspath)))

    def _wanted(self, reader: str, abspath: str, rel: str, kind: str, slug: str,
                stamp: Stamp | None) -> None:
        memo = self.memo
        if memo is None:
            stamp = None
        elif stamp is _UNKNOWN:
            try:
                stamp = stamp_of(os.stat(abspath))
            except OSError:
                stamp = None
        if memo is not None:
            known = memo.get(rel)
            if stamp is not None and known is not None and known[0] == stamp and (
                    known[1].kind, known[1].slug) == (kind, slug):
                self.fresh[rel] = known
                self.docs.append(known[1])
                return
        self.todo.append((len(self.docs), reader, abspath, rel, kind, slug, stamp))
        self.docs.append(None)


def _check_folders(content_dir: Path, walk: _Walk, report: Report) -> None:
    """Problems of the whole tree: alliance folders without alliance.yaml, no site.yaml,
    names that differ only in case, assets that cannot be published."""
    for folder in sorted(p for p in (content_dir / "alliances").glob("*") if p.is_dir()):
        if not is_ignored(folder.name) and not any(
            p.name.lower() in ("alliance.yaml", "alliance.yml") for p in folder.iterdir()
        ):
            report.emit("alliance-folder-empty", f"alliances/{folder.name}", slug=folder.name)
    if walk.site is None:
        report.emit("missing-site", "site.yaml")
    _check_case_collisions([d.path for d in walk.docs if d is not None]
                           + [a.path for a in walk.assets], report)
    for asset in walk.assets:
        check_asset(asset, report)


def _read_one(reader: str, abspath: str, rel: str, kind: str, slug: str
              ) -> tuple[SourceDoc, list[Any]]:
    """Read one file, returning the document and the problems it has."""
    report = Report()
    if reader == "body":
        doc = read_body(Path(abspath), rel, slug, report)
    else:
        doc = read_record(Path(abspath), rel, kind, slug, report)
    return doc, list(report.items)


# What the parse workers do with a document besides reading it (see load_sources'
# `check`); set before the pool forks, so the workers inherit it.
_CHECK: list[Callable[[SourceDoc], tuple[Any, ...] | None]] = []


def _read_chunk(files: list[tuple[str, str, str, str, str]]
                ) -> tuple[bytes, list[list[Any]], dict[str, str]]:
    # Documents go back as marshal rows, several times faster than pickling them;
    # the few problems (their texts are objects) are pickled by the pool.
    check = _CHECK[0] if _CHECK else None
    rows, problems, keys = [], [], {}
    for file in files:
        doc, found = _read_one(*file)
        row = doc_to_row(doc)
        # Validated here too, as the parent would (a pure function of the document). A
        # record with a problem is validated again by the parent, which reports it.
        valid = check(doc) if check is not None and not found else None
        rows.append((row, valid))
        problems.append(found)
        # Records are listed by name in pinyin order; those keys are costly, so the
        # workers make them too (the parent takes them as they come).
        name = record_name(doc.data)
        if name:
            keys[name] = sort_key(name)
    return marshal.dumps(rows), problems, keys


def record_name(data: Any) -> str | None:
    """The name a record is listed by (and sorted by, in pinyin)."""
    if isinstance(data, dict):
        name = data.get("name") or data.get("title")
        if isinstance(name, str):
            return name
    return None


def _read_parallel(files: list[tuple[str, str, str, str, str]], jobs: int,
                   validated: dict[str, tuple[Any, ...]]
                   ) -> Iterator[tuple[SourceDoc, list[Any]]]:
    """Parse `files` in `jobs` forked processes; fills `validated` (see Sources)."""
    chunks = [files[i:i + _READ_CHUNK] for i in range(0, len(files), _READ_CHUNK)]
    for blob, problems, keys in in_order(_read_chunk, chunks, jobs):  # in order, as serial
        remember_sort_keys(keys)
        for (row, valid), found in zip(marshal.loads(blob), problems, strict=True):
            doc = doc_from_row(row)
            if valid is not None:
                validated[doc.path] = valid
            yield doc, found


def _check_case_collisions(paths: list[str], report: Report) -> None:
    """Two names that differ only in case are one file on Windows and macOS disks."""
    seen: dict[str, str] = {}
    for path in sorted(paths):
        key = path.lower()
        if key in seen:
            report.emit("case-collision", path, other=seen[key])
        else:
            seen[key] = path


def check_asset(asset: AssetFile, report: Report) -> None:
    """Refuse files that could script on the site's origin, that are not what their
    extension says, too big to publish, or images too big to decode safely (media.py)."""
    check_media(asset.path, asset.abspath, report)


def _unexpected(rel: str, report: Report) -> None:
    from site_builder.core.diagnostics import L

    report.emit(
        "unexpected-file",
        rel,
        expected=L(
            "内容文件放在 alliances/、enterprises/、stories/、stations/、listings/、pages/ 中"
            "（YAML 用 .yaml，文章用 .md）；图片和附件放在 content/media/ 或联盟文件夹里；"
            "其他文件请移到 content/ 外面。",
            "Content files go in alliances/, enterprises/, stories/, stations/, listings/, "
            "pages/ (.yaml for data, .md for articles); images and files in content/media/ or "
            "an alliance folder; move anything else out of content/.",
        ),
    )


# ---- the document memo on disk -------------------------------------------------------------


