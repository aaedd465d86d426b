"""Load: find content files by kind, decode them, and parse YAML keeping every position."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import multiprocessing
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import yaml

from site_builder.core.cachefile import stamp_of
from site_builder.core.diagnostics import Report
from site_builder.core.pinyin import remember_sort_keys, sort_key
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.load.filenames import check_link, check_name
from site_builder.load.media import check_media
from site_builder.load.yamllimits import (
    MAX_DEPTH,
    AliasGuard,
    TooComplex,
    check_depth,
    depth_problem,
    report_too_complex,
)

try:  # The C loader composes several times faster; positions are kept either way.
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

_STR_TAG = "tag:yaml.org,2002:str"


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """The safe loader, resolving tags from a table made once.

    The composer asks `resolve` for every key and value (700,000 calls at N=300, a fifth
    of the parse); PyYAML's own builds a list per call. Same rules: the implicit
    resolvers of the scalar's first character, in order; no path resolvers."""

    _by_first: ClassVar[dict[str, tuple[tuple[str, re.Pattern[str]], ...]]] = {}

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self._by_first.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR_TAG
        return (self.DEFAULT_SEQUENCE_TAG if kind is yaml.SequenceNode
                else self.DEFAULT_MAPPING_TAG)


# Built from the loader's own table, so a resolver PyYAML adds is not missed.
_Loader._by_first = {
    first: tuple(_Base.yaml_implicit_resolvers.get(first, [])
                 + _Base.yaml_implicit_resolvers.get(None, []))
    for first in _Base.yaml_implicit_resolvers if first is not None}
assert not _Base.yaml_path_resolvers and _Base.DEFAULT_SCALAR_TAG == _STR_TAG


IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".svg"})
YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 5 * 1024 * 1024  # a YAML or Markdown file

# Kind folder -> (kind, file suffixes of its records). Alliances are folders, handled apart.
RECORD_FOLDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "enterprises": ("enterprise", YAML_SUFFIXES),
    "stories": ("story", (".md", ".markdown")),
    "stations": ("station", YAML_SUFFIXES),
    "listings": ("listing", YAML_SUFFIXES),
    "pages": ("page", (".md", ".markdown")),
}






MARKDOWN_FIELDS = ("description",)  # YAML keys whose text is Markdown


class _Tail:
    """A memo document's data and positions, still marshal bytes until asked for: a
    rebuild whose validation is memoised needs neither (decoding them for 18,000 files
    took most of the 0.4 s of reading the memo)."""

    __slots__ = ("_value", "blob")

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self._value: tuple[Any, Mapping[KeyPath, str], bytes, Any] | None = None

    def value(self) -> tuple[Any, Mapping[KeyPath, str], bytes, Any]:
        """(data, raw, packed positions, top positions), decoded once."""
        if self._value is None:
            data, dates, raw, packed, top = marshal.loads(self.blob)
            self._value = (_with_dates(data, dates), raw, packed, top)
        return self._value


class SourceDoc:
    """One content record as read from disk: data, positions, Markdown body.

    A document from the memo keeps its data and positions packed (`_Tail`) until read."""

    __slots__ = ("_data", "_lines", "_tail", "body", "body_line", "digest", "kind", "ok",
                 "path", "positions", "slug")

    def __init__(self, kind: str, slug: str, path: str, data: Any, positions: Positions,
                 body: str | None = None, body_line: int = 1, digest: str = "",
                 ok: bool = True, *, tail: _Tail | None = None,
                 lines: Mapping[str, int] | None = None) -> None:
        self.kind = kind
        self.slug = slug
        self.path = path  # relative to content/, forward slashes
        self._data = data
        self.positions = positions
        self.body = body
        self.body_line = body_line  # 1-based line of the body's first line
        self.digest = digest
        self.ok = ok  # False when the file could not be read or parsed at all
        self._tail = tail
        self._lines = lines

    @property
    def data(self) -> Any:
        if self._tail is not None:
            self._data = self._tail.value()[0]
        return self._data

    @property
    def lines(self) -> Mapping[str, int]:
        """The line where each top-level Markdown field's text starts (kept in the memo's
        head: linking needs it for every record)."""
        if self._lines is None:
            data = self.data
            self._lines = {k: self.positions.of_value((k,))[0] or 1 for k in MARKDOWN_FIELDS
                           if isinstance(data, dict) and k in data}
        return self._lines

    def _fields(self) -> tuple[Any, ...]:
        return (self.kind, self.slug, self.path, self.data, self.positions, self.body,
                self.body_line, self.digest, self.ok)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceDoc):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.kind, self.slug, self.path, self.digest))

    def __repr__(self) -> str:
        return f"SourceDoc({self.kind!r}, {self.slug!r}, {self.path!r}, ok={self.ok})"


@dataclass(frozen=True)
class AssetFile:
    """A file that is copied as it is: media, alliance images."""

    path: str  # relative to content/
    abspath: Path


@dataclass(frozen=True)
class Sources:
    site: SourceDoc | None
    docs: tuple[SourceDoc, ...]
    assets: tuple[AssetFile, ...]
    content_dir: Path
    # Files the parse workers also validated without a problem: their validation memo row
    # (validmemo), so the parent need not validate 18,000 records alone.
    validated: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


def is_ignored(name: str) -> bool:
    """Hidden files and the temporary files editors leave beside the real one."""
    return (
        name.startswith((".", "~", "#"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".bak", ".crdownload"))
        or name in {"Thumbs.db", "desktop.ini", "__pycache__"}
    )


# rel → ((size, mtime_ns, inode), the document read from it): kept by the preview server.
DocMemo = dict[str, tuple[tuple[int, int, int], "SourceDoc"]]


# Below this many files to parse, starting processes costs more than it saves: at N=30
# (1,800 files) parsing, validating and linking took 0.48 s with two workers and 0.41 s
# without; at N=100 (6,100) 1.10 s against 1.23 s.
PARALLEL_MIN_FILES = 3000
_READ_CHUNK = 128


ContentListing = list[tuple[str, str, bool, "tuple[int, int, int] | None"]]
_UNKNOWN = (-1, -1, -1)  # a file's stamp not known yet


def list_content(content_dir: Path) -> ContentListing:
    """What load_sources walks: each file as walk_files gives it, and its stamp (size,
    time and inode; None when it cannot be read). lookahead.py makes it ahead."""
    listing: ContentListing = []
    for rel, abspath, linked in walk_files(content_dir):
        try:
            st = os.stat(abspath)
        except OSError:
            listing.append((rel, abspath, linked, None))
        else:
            listing.append((rel, abspath, linked, stamp_of(st)))
    return listing


def load_sources(content_dir: Path, report: Report, memo: DocMemo | None = None,
                 jobs: int = 1, listing: ContentListing | None = None,
                 check: Callable[[SourceDoc], tuple[Any, ...] | None] | None = None
                 ) -> Sources:
    """Read every content file under `content_dir`, reporting what cannot be read.

    With a `memo`, a file whose size, time and inode are as last time is not read again
    (only files that were read without any problem are remembered). With `jobs` > 1, many
    files are parsed in that many forked processes (YAML with positions is CPU work).
    `listing`: the files and their stamps, as list_content gives them (made ahead).
    `check`: what the parse workers also make of each document they read without a
    problem (its validation row, kept in Sources.validated)."""
    site: SourceDoc | None = None
    docs: list[SourceDoc | None] = []
    assets: list[AssetFile] = []
    real_root = os.path.realpath(content_dir)
    fresh: DocMemo = {}
    # Files to parse: (index in docs, reader, path, rel, kind, slug, stamp or None).
    todo: list[tuple[int, str, str, str, str, str, tuple[int, int, int] | None]] = []

    def wanted(reader: str, abspath: str, rel: str, kind: str, slug: str,
               stamp: tuple[int, int, int] | None) -> None:
        if memo is None:
            stamp = None
        elif stamp is _UNKNOWN:
            try:
                st = os.stat(abspath)
                stamp = stamp_of(st)
            except OSError:
                stamp = None
        if memo is not None:
            known = memo.get(rel)
            if stamp is not None and known is not None and known[0] == stamp and (
                    known[1].kind, known[1].slug) == (kind, slug):
                fresh[rel] = known
                docs.append(known[1])
                return
        todo.append((len(docs), reader, abspath, rel, kind, slug, stamp))
        docs.append(None)

    files = listing if listing is not None else (
        (rel, abspath, linked, _UNKNOWN) for rel, abspath, linked in walk_files(content_dir))
    for rel, abspath, linked, stamp in files:
        if not check_name(rel, report) or (linked and not check_link(rel, abspath, report)):
            continue
        real = os.path.realpath(abspath) if linked else real_root + os.sep + rel
        if not real.startswith(real_root + os.sep):
            # A link to a file outside content/ would publish whatever it points at.
            report.emit("path-escape", rel, value=rel)
            continue
        parts = rel.split("/")  # walk_files gives forward slashes
        stem, suffix = os.path.splitext(parts[-1])
        suffix = suffix.lower()
        top = parts[0]
        if len(parts) == 1:
            if parts[0].lower() in ("site.yaml", "site.yml"):
                site = read_record(Path(abspath), rel, "site", "site", report)
            elif parts[0].lower() == "glossary.yaml":
                pass  # the site's 错敏词 additions, read by validate/glossary.py
            else:
                _unexpected(rel, report)
        elif top == "media":
            assets.append(AssetFile(rel, Path(abspath)))
        elif top == "alliances":
            if len(parts) != 3:
                _unexpected(rel, report)
                continue
            slug, name = parts[1], parts[2].lower()  # Index.md on Windows is index.md
            if name in ("alliance.yaml", "alliance.yml"):
                wanted("record", abspath, rel, "alliance", slug, stamp)
            elif name in ("index.md", "index.markdown"):
                wanted("body", abspath, rel, "alliance_body", slug, stamp)
            else:
                # Any other file in an alliance folder belongs to it (images, PDFs).
                assets.append(AssetFile(rel, Path(abspath)))
        elif top in RECORD_FOLDERS and len(parts) == 2:
            kind, suffixes = RECORD_FOLDERS[top]
            if suffix in suffixes:
                wanted("record", abspath, rel, kind, stem, stamp)
            elif suffix in IMAGE_SUFFIXES:
                assets.append(AssetFile(rel, Path(abspath)))
            else:
                _unexpected(rel, report)
        else:
            _unexpected(rel, report)
    jobs = min(jobs, len(todo) // _READ_CHUNK + 1)
    validated: dict[str, tuple[Any, ...]] = {}
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES and _can_fork():
        _CHECK[:] = [check] if check is not None else []
        read = _read_parallel([t[1:6] for t in todo], jobs, validated)
    else:
        read = (_read_one(*t[1:6]) for t in todo)
    for (index, _r, _a, rel, _k, _s, stamp), (doc, problems) in zip(todo, read, strict=True):
        docs[index] = doc
        report.extend(problems)
        if memo is not None and stamp is not None and not problems:
            fresh[rel] = (stamp, doc)
    for folder in sorted(p for p in (content_dir / "alliances").glob("*") if p.is_dir()):
        if not is_ignored(folder.name) and not any(
            p.name.lower() in ("alliance.yaml", "alliance.yml") for p in folder.iterdir()
        ):
            report.emit("alliance-folder-empty", f"alliances/{folder.name}", slug=folder.name)
    if site is None:
        report.emit("missing-site", "site.yaml")
    _check_case_collisions([d.path for d in docs] + [a.path for a in assets], report)
    for asset in assets:
        check_asset(asset, report)
    if memo is not None:
        memo.clear()
        memo.update(fresh)
    return Sources(site, tuple(d for d in docs if d is not None), tuple(assets), content_dir,
                   validated)


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
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        for blob, problems, keys in pool.imap(_read_chunk, chunks):  # in order, as serial
            remember_sort_keys(keys)
            for (row, valid), found in zip(marshal.loads(blob), problems, strict=True):
                doc = doc_from_row(row)
                if valid is not None:
                    validated[doc.path] = valid
                yield doc, found


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


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


def walk_files(root: Path) -> Iterator[tuple[str, str, bool]]:
    """Yield (relative posix path, path, reached through a symbolic link) for every file,
    sorted, skipping ignored names."""
    if not root.is_dir():
        return
    found: list[tuple[str, str, bool]] = []
    # Linked folders are not entered (as before); a linked file may point out of content/,
    # which the caller checks with realpath. Other paths cannot leave content/. scandir
    # knows each entry's type without a system call per file (20,000 files: 0.3 s saved).
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if is_ignored(entry.name):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, prefix + entry.name + "/"))
                elif _is_file(entry):
                    found.append((prefix + entry.name, entry.path, entry.is_symlink()))
    found.sort(key=lambda f: f[0])
    yield from found


def _is_file(entry: os.DirEntry[str]) -> bool:
    """A file, or a link that leads to no folder: a loop or a link to nothing is listed
    so that load_sources reports it (filenames.check_link) instead of raising here."""
    try:
        return entry.is_file() or (entry.is_symlink() and not entry.is_dir())
    except OSError:  # a link that loops
        return True


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


def decode_text(raw: bytes, rel: str, report: Report) -> str | None:
    """Decode UTF-8 (with or without BOM), normalising line endings; report other encodings."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        try:
            raw.decode("gb18030")
            encoding = "GBK/GB18030"
        except UnicodeDecodeError:
            encoding = "?"
        report.emit("decode", rel, line, None, encoding=encoding)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_bytes(abspath: Path, rel: str, report: Report) -> bytes | None:
    size = abspath.stat().st_size
    if size > MAX_FILE_BYTES:
        report.emit("file-too-large", rel, size=f"{size / 1048576:.1f}",
                    max=f"{MAX_FILE_BYTES // 1048576}")
        return None
    return abspath.read_bytes()


def read_record(abspath: Path, rel: str, kind: str, slug: str, report: Report) -> SourceDoc:
    """Read a YAML file, or a Markdown file with front matter, into a SourceDoc."""
    raw = _read_bytes(abspath, rel, report)
    text = None if raw is None else decode_text(raw, rel, report)
    digest = hashlib.sha256(raw or b"").hexdigest()
    if text is None:
        return SourceDoc(kind, slug, rel, None, Positions(), digest=digest, ok=False)
    if rel.lower().endswith((".md", ".markdown")):
        split = split_front_matter(text, rel, report)
        if split is None:
            return SourceDoc(kind, slug, rel, None, Positions(), digest=digest, ok=False)
        yaml_text, line_offset, body, body_line = split
    else:
        yaml_text, line_offset, body, body_line = text, 0, None, 1
    parsed = parse_yaml(yaml_text, rel, report, line_offset)
    if parsed is None:
        return SourceDoc(kind, slug, rel, None, Positions(), body, body_line, digest, ok=False)
    data, positions = parsed
    return SourceDoc(kind, slug, rel, data, positions, body, body_line, digest)


def read_body(abspath: Path, rel: str, slug: str, report: Report) -> SourceDoc:
    """Read an alliance's index.md: Markdown, front matter not expected."""
    raw = _read_bytes(abspath, rel, report)
    text = None if raw is None else decode_text(raw, rel, report)
    digest = hashlib.sha256(raw or b"").hexdigest()
    if text is not None and _FENCE.match(text.split("\n", 1)[0]):
        # Keys belong in alliance.yaml; silently showing them as text would confuse.
        report.emit("index-front-matter", rel, 1, 1)
        return SourceDoc("alliance_body", slug, rel, None, Positions(), None, 1, digest,
                         ok=False)
    return SourceDoc("alliance_body", slug, rel, None, Positions(), text, 1, digest,
                     ok=text is not None)


_FENCE = re.compile(r"^---[ \t]*$")
_FENCE_END = re.compile(r"^(---|\.\.\.)[ \t]*$")


def split_front_matter(
    text: str, rel: str, report: Report
) -> tuple[str, int, str, int] | None:
    """Split '---' front matter from the body, keeping line numbers of both.

    Returns (yaml text, line offset of the yaml, body, 1-based line of the body).
    """
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1  # blank lines before the first fence are harmless
    if start >= len(lines) or not _FENCE.match(lines[start]):
        report.emit("front-matter-missing", rel, 1, 1)
        return None
    for end in range(start + 1, len(lines)):
        if _FENCE_END.match(lines[end]):
            yaml_text = "\n".join(lines[start + 1 : end])
            body = "\n".join(lines[end + 1 :])
            return yaml_text, start + 1, body, end + 2
    report.emit("front-matter-unclosed", rel, start + 1, 1, opened=start + 1)
    return None


_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

# PyYAML's problems are English; editors read Chinese. Unknown problems pass through.
_PROBLEMS_ZH = {
    "mapping values are not allowed here": "这里不能出现“: ”（冒号加空格）。如果它是文字的一部分，请给整段文字加引号",
    "mapping values are not allowed in this context": "这里不能出现“: ”（冒号加空格）。如果它是文字的一部分，请给整段文字加引号",
    "found character that cannot start any token": "这个字符不能出现在开头，请给这段文字加上引号",
    "could not find expected ':'": "缺少冒号“:”，或上一行的引号没有闭合",
    "found character '\\t' that cannot start any token": "不能用 Tab 键缩进，请改用空格",
    "found unexpected end of stream": "文件在引号或括号闭合之前就结束了",
    "did not find expected key": "缩进不对齐，或列表项前缺少“- ”",
    "found undefined alias": "用了未定义的别名（*）",
    "did not find expected whitespace or line break": "以 ! 开头的文字需要整体加上引号",
    "found undefined tag handle": "以 ! 开头的文字需要整体加上引号",
    "expected <block end>, but found '-'": "列表项“- ”的缩进与上面的键不对齐",
    "expected <block end>, but found '<block sequence start>'": "列表项“- ”的缩进不对齐",
    "expected <block end>, but found '<block mapping start>'": "这一行的缩进与同级的键不一致",
    "expected <block end>, but found '<scalar>'": "这一行的缩进与同级的键不一致",
    "found unexpected ':'": "出现了多余的冒号；含冒号的文字请加引号",
    "found character '@' that cannot start any token": "以 @ 开头的文字需要加引号",
    "found character '`' that cannot start any token": "以 ` 开头的文字需要加引号",
    "found character '%' that cannot start any token": "以 % 开头的文字需要加引号",
    "did not find expected ',' or ']'": "方括号 [ ] 里的列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或缺少逗号",
    "did not find expected node content": "这里缺少值",
    "found a tab character where an indentation space is expected": "不能用 Tab 键缩进，请改用空格",
    "but found another document": "文件中出现了第二个“---”分隔的文档；YAML 文件里不要写 ---",
    "expected a single document in the stream": "文件中出现了第二个“---”分隔的文档；YAML 文件里不要写 ---",
    "found a tab character that violates indentation": "不能用 Tab 键缩进，请改用空格",
}


def parse_yaml(
    text: str, rel: str, report: Report, line_offset: int = 0
) -> tuple[Any, Positions] | None:
    """Compose YAML safely into plain data plus the position of every key and value."""
    from site_builder.core.diagnostics import L

    too_deep = depth_problem(text)  # before composing, which recurses in C
    if too_deep is not None:
        report_too_complex(too_deep, rel, report, line_offset, {})
        return None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip()
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem = "found a tab character where an indentation space is expected"
        report.emit(
            "yaml-syntax",
            rel,
            (mark.line + 1 + line_offset) if mark else None,
            (mark.column + 1) if mark else None,
            problem=L(_PROBLEMS_ZH.get(problem, problem), problem),
        )
        return None
    except yaml.reader.ReaderError as exc:  # a control character, pasted from elsewhere
        before = text[: exc.position]
        line = before.count("\n") + 1 + line_offset
        col = len(before) - (before.rfind("\n") + 1) + 1
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else "?"
        report.emit("yaml-syntax", rel, line, col, problem=L(
            f"这里有一个看不见的控制字符（{char}），多半是从别处复制时带进来的，请删掉它",
            f"an invisible control character ({char}), probably pasted from elsewhere; "
            "delete it"))
        return None
    except yaml.YAMLError as exc:
        report.emit("yaml-syntax", rel, 1 + line_offset, 1, problem=L(str(exc), str(exc)))
        return None
    if node is None:
        return {}, Positions()
    # Only a text with a '*' can hold an alias.
    builder = _Builder(rel, report, line_offset, text.split("\n"),
                       AliasGuard() if "*" in text else None)
    try:
        data = builder.build(node, ())
    except TooComplex as exc:
        report_too_complex(exc, rel, report, line_offset, builder.keys)
        return None
    if builder.failed:
        return None
    return data, Positions(builder.keys, builder.values, builder.raw)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column] if line < len(lines) and column < len(lines[line]) else ""


class _Builder:
    """Turn a composed YAML node tree into Python values, recording positions."""

    def __init__(self, rel: str, report: Report, line_offset: int, lines: list[str],
                 aliases: AliasGuard | None = None) -> None:
        self.aliases = aliases
        self.lines = lines
        self.rel = rel
        self.report = report
        self.offset = line_offset
        self.keys: dict[KeyPath, tuple[int, int]] = {}
        self.values: dict[KeyPath, tuple[int, int]] = {}
        self.raw: dict[KeyPath, str] = {}
        self.failed = False
        self.constructor = yaml.constructor.SafeConstructor()

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        mark = node.start_mark
        line, col = mark.line + 1 + self.offset, mark.column + 1
        scalar = type(node) is yaml.ScalarNode
        if scalar and node.style in ("|", ">"):
            # A block scalar's text starts on the line after the | or >, indented.
            index = mark.line + 1
            if index < len(self.lines):
                text = self.lines[index]
                line, col = line + 1, len(text) - len(text.lstrip()) + 1
        self.values[path] = (line, col)
        if scalar and node.tag == _STR_TAG:  # most values: the text is the value
            return node.value
        if not scalar and (self.aliases is not None or len(path) >= MAX_DEPTH):
            check_depth(path, mark)  # yamllimits: raises TooComplex
            if self.aliases is not None:
                self.aliases.admit(node, path)
        if node.tag not in _ALLOWED_TAGS:
            line, col = self.pos(node)
            self.report.emit("yaml-tag", self.rel, line, col, format_key(path), tag=node.tag)
            self.failed = True
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    line, col = self.pos(key_node)
                    self.report.emit("not-mapping", self.rel, line, col, format_key(path),
                                     got="?")
                    self.failed = True
                    continue
                key = str(key_node.value)
                child = (*path, key)
                if key in out:
                    line, col = self.pos(key_node)
                    self.report.emit("duplicate-key", self.rel, line, col, format_key(child),
                                     name=key, first_line=self.keys[child][0])
                    self.failed = True
                    continue
                mark = key_node.start_mark
                self.keys[child] = (mark.line + 1 + self.offset, mark.column + 1)
                out[key] = self.build(value_node, child)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            value = self.constructor.construct_object(node, deep=True)
            if not isinstance(value, str) and not node.style and value is not None:
                self.raw[path] = str(node.value)
            return value
        except (yaml.YAMLError, ValueError, OverflowError):
            # e.g. a timestamp-looking scalar that is not a real date (2023-02-30):
            # keep the text and let the schema say what is wrong with it.
            return str(node.value)


# ---- the document memo on disk -------------------------------------------------------------



def _at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def doc_to_row(d: SourceDoc) -> tuple[Any, ...]:
    """A document as plain values marshal can store: a head read by every build and a
    tail (data and positions, as marshal bytes) read only when the document is.

    Dates are the only values YAML makes that marshal cannot store; each is one of the
    document's non-text scalars (listed in positions.raw), stored apart as ISO text and put
    back in place when read."""
    head = (d.kind, d.slug, d.path, d.body, d.body_line, d.digest, d.ok, dict(d.lines))
    if d._tail is not None:  # never unpacked: the same bytes again
        return (*head, d._tail.blob)
    data, dates = d.data, []
    for path in d.positions.raw:
        value = _at(d.data, path)
        if isinstance(value, dt.date):
            dates.append((path, isinstance(value, dt.datetime), value.isoformat()))
    if dates:
        data = _without_dates(d.data)
    tail = marshal.dumps((data, dates, dict(d.positions.raw), d.positions.pack(),
                          dict(d.positions.top)))
    return (*head, tail)


def _without_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_dates(v) for v in value]
    return None if isinstance(value, dt.date) else value


def _with_dates(data: Any, dates: list[Any]) -> Any:
    for where, is_datetime, text in dates:
        value = (dt.datetime if is_datetime else dt.date).fromisoformat(text)
        if where:
            _at(data, where[:-1])[where[-1]] = value
        else:  # the whole file is one date (the schema will say it is not a mapping)
            data = value
    return data


def doc_from_row(row: tuple[Any, ...]) -> SourceDoc:
    kind, slug, path, body, body_line, digest, ok, lines, blob = row
    tail = _Tail(blob)
    return SourceDoc(kind, slug, path, None, Positions(tail=tail), body, body_line, digest,
                     ok, tail=tail, lines=lines)










