"""The pipeline, top to bottom: load → validate → link → render → index → write.

`run()` reads as that list. Each step below it is one stage's call plus what the step needs
from the session (incremental.Session: every memo, and where and when it is loaded and
saved). `check` is the same run without the writer. Any error means the writer is never
called, so the previous output stays exactly as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from site_builder.core import pinyin
from site_builder.core.config import BuildOptions, SiteConfig, make_config
from site_builder.core.diagnostics import Report
from site_builder.core.outputs import Output
from site_builder.incremental.documents import DOC_MEMO_FILE, load_doc_memo, save_doc_memo
from site_builder.incremental.pages import DiskStore, MemoryStore
from site_builder.incremental.session import Session
from site_builder.incremental.validated import (
    VALID_MEMO_FILE,
    check_row,
    from_row,
    load_validated,
    same_data,
    save_validated,
    storable,
)
from site_builder.link.linker import link_model
from site_builder.link.model import Model
from site_builder.load.gitdates import read_git_dates
from site_builder.load.sourcedoc import SourceDoc, Sources
from site_builder.load.sources import load_sources
from site_builder.parallel.machinery import machinery
from site_builder.render.linkcheck import check_links
from site_builder.render.maps import Provider, provider_for
from site_builder.render.markdown import MARKDOWN_MEMO_FILE, MarkdownMemo
from site_builder.render.pages import RenderJob
from site_builder.render.site import render_site
from site_builder.render.theme import TemplateCache, find_theme
from site_builder.search.update import SEARCH_MEMO_FILE, SearchMemo, search_outputs
from site_builder.validate.glossary import check_glossary
from site_builder.validate.schema import Validated, validate_doc
from site_builder.write.manifest import write_manifest
from site_builder.write.writer import Stage, WriteStats, write_outputs

MANIFEST_MEMO_FILE = "manifest.marshal"  # published files' SHA-256 by their stamps
MANIFEST_MEMO_VERSION = 1
RELATED_MEMO_FILE = "related.marshal"
RELATED_MEMO_VERSION = 1

Writer = Callable[[list[Output]], WriteStats | None]
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BuildResult:
    report: Report
    config: SiteConfig | None
    model: Model | None
    outputs: tuple[Output, ...]
    written: WriteStats | None
    timings: dict[str, float]

    @property
    def ok(self) -> bool:
        return not self.report.has_errors

    @property
    def language(self) -> str:
        return self.config.language if self.config else "zh-CN"

    @property
    def pages(self) -> int:
        return sum(1 for o in self.outputs if o.path.endswith(".html"))


class _Timings(dict[str, float]):
    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[name] = time.perf_counter() - start


@dataclass
class _Build:
    """One run's fixed inputs and the machinery its steps share (never content data)."""

    options: BuildOptions
    report: Report
    session: Session
    stage: Stage | None  # output/'s replacement being filled; None: `check`, the preview
    write: bool
    progress: Progress | None
    writer: Writer | None
    timings: _Timings
    # What the memos held before this build added to them: saved again only if they grew.
    before: dict[str, Any] = field(default_factory=dict)
    search: SearchMemo | None = None


def run(options: BuildOptions, *, write: bool = True, session: Session | None = None,
        progress: Progress | None = None, writer: Writer | None = None) -> BuildResult:
    """Build the site described by `options`; write it unless `write` is False. `writer`
    (the preview's) takes the outputs instead of output/; `session` carries memos from one
    build to the next (the preview's, in memory); without one, a build from the command line
    uses `.cache/` and `check` starts afresh."""
    on_disk = write and writer is None
    session = session or (Session.on_disk(options.site_dir) if on_disk else Session())
    report = Report()
    report.strict = options.strict
    with machinery(options, session, report, on_disk) as (stage, locked):
        b = _Build(options, report, session, stage, write, progress, writer, _Timings())
        if not locked:
            return BuildResult(report, None, None, (), None, {})
        sources, changed = load(b)
        config, provider, validated, same = validate(b, sources, changed)
        model = link(b, sources, config, validated)
        outputs = render(b, model, provider, same) if not report.has_errors else []
        outputs += index(b, model, outputs) if not report.has_errors else []
        written = commit(b, outputs) if write and not report.has_errors else None
        return BuildResult(report, config, model, tuple(outputs), written, dict(b.timings))


def check_candidates(options: BuildOptions, session: Session,
                     candidates: dict[str, SourceDoc | None]) -> tuple[Report, Model]:
    """The problems load, validate and link find when content/ holds `candidates` (file →
    document; None: the file is gone) in place of what is on disk: the workbench checks a
    form so before it writes anything. Rendering is left out (seconds on a big site); what
    only a page's render finds is reported by the preview's build after the save."""
    report = Report()
    b = _Build(options, report, session, None, False, None, None, _Timings())
    sources, _ = load(b)
    docs = {d.path: d for d in sources.docs}
    site = sources.site
    for rel, doc in candidates.items():
        if rel == "site.yaml":
            site = doc
        elif doc is None:
            docs.pop(rel, None)
        else:
            docs[rel] = doc
    # The parse workers' validation rows describe the files on disk, not the candidates.
    rows = {k: v for k, v in sources.validated.items() if k not in candidates}
    sources = Sources(site, tuple(docs.values()), sources.assets, sources.content_dir, rows)
    config, _provider, validated, _same = validate(b, sources, None)
    return report, link(b, sources, config, validated)


# ---- load ---------------------------------------------------------------------------------

def load(b: _Build) -> tuple[Sources, set[str] | None]:
    """Read content/; the files read anew since the last build (None: all are new)."""
    with b.timings.stage("load"):
        session, persistent = b.session, b.session.persistent
        if persistent and not session.docs:
            session.docs.update(load_doc_memo(session.path(DOC_MEMO_FILE)))
        # The preview keeps the last pages in memory; a build finds them in output/.
        if b.write and session.pages is None:
            session.pages = MemoryStore() if not persistent else DiskStore(
                session.path(""), b.options.out_dir)
        before = dict(session.docs)
        sources = load_sources(b.options.content_dir, b.report, session.docs, b.options.jobs,
                               check=check_row)
        if not persistent:
            return sources, None
        read = {rel for rel, known in session.docs.items() if before.get(rel) is not known}
        read.update(rel for rel in before if rel not in session.docs)
        if read:
            session.opening()
            save_doc_memo(session.docs, session.path(DOC_MEMO_FILE), None if not before else read)
        return sources, read if before else None


# ---- validate -----------------------------------------------------------------------------

def validate(b: _Build, sources: Sources, changed: set[str] | None
             ) -> tuple[SiteConfig, Provider | None, list[Validated], bool]:
    """Check every document; also whether only Markdown bodies changed since the build the
    page memo describes (then every page's task is what it was: see render_site)."""
    with b.timings.stage("validate"):
        site = validate_doc(sources.site, b.report) if sources.site else None
        config = make_config(dict(site.data) if site else {}, b.options, b.report,
                             site.positions if site else None)
        # Without site.yaml that file's absence is the one problem worth reporting.
        provider = provider_for(config.map, b.report if site else Report(),
                                site.positions if site else None)
        session = b.session
        rows: dict[str, Any] = {}
        stored: set[str] | None = None
        kept: list[Validated] = []
        if session.persistent and not session.validated:  # a fresh process
            kept, stored = load_validated(session.path(VALID_MEMO_FILE), sources.docs, rows)
            session.validated.update((id(v.doc), (v.doc, v)) for v in kept)
        validated = [_validate(doc, b.report, session, sources.validated)
                     for doc in sources.docs]
        anew = [v for v in validated if v.doc.path in changed] if changed else []
        same = (session.in_step and changed is not None and stored is not None
                and not b.report.has_errors and len(anew) == len(changed)
                and same_data(anew, rows))
        rows.clear()  # the previous rows (18,000 at N=300) are not needed any more
        if stored is not None:
            _save_validated(session, kept, stored)
        live = {id(doc) for doc in sources.docs}
        for gone in [k for k in session.validated if k not in live]:
            del session.validated[gone]
    return config, provider, validated, same


def _validate(doc: SourceDoc, report: Report, session: Session,
              done: dict[str, tuple[Any, ...]]) -> Validated:
    """Validate `doc`, or reuse the result for the same document read last time, or the
    one the parse worker made (`done`: validation memo rows by file)."""
    known = session.validated.get(id(doc))
    if known is not None and known[0] is doc:
        return known[1]
    row = done.get(doc.path)
    if row is not None:
        found = from_row(doc, row)
        if found is not None:
            session.validated[id(doc)] = (doc, found)
            return found
    before = len(report)
    result = validate_doc(doc, report)
    if len(report) == before:  # problems must be reported again by every build
        session.validated[id(doc)] = (doc, result)
    return result


def _save_validated(session: Session, kept: list[Validated], stored: set[str]) -> None:
    keep = [v for _, v in session.validated.values() if storable(v)]
    now = {v.doc.path for v in keep}
    # Shards to write: new rows, and rows to drop (file gone, or now a problem).
    changed = (now - {v.doc.path for v in kept}) | (stored - now)
    if changed:
        session.opening()
        save_validated(session.path(VALID_MEMO_FILE), keep, changed if stored else None)


# ---- link ---------------------------------------------------------------------------------

def link(b: _Build, sources: Sources, config: SiteConfig, validated: list[Validated]
         ) -> Model:
    with b.timings.stage("link"):
        kept = b.session.load(pinyin.SORT_KEY_MEMO_FILE, pinyin.SORT_KEY_VERSION)
        pinyin.remember_pinyin(kept)
        # Saved when it grew, or when .cache/ had none (the tables are the process's).
        b.before["pinyin"] = tuple(map(len, pinyin.pinyin_memo())) if kept is not None else None
        model = link_model(validated, config, b.options, sources.assets, b.report,
                           read_git_dates(b.options.content_dir))
        # 严重 wrong formulations in what is published (site.yaml's footer included).
        published = sorted((f, item.digest) for item in model.index.values()
                           for f in (item.file, item.body_file) if f)
        files = [("site.yaml", ""), *published]
        check_glossary(b.options.content_dir, files, b.report,
                       serious_is_error=b.options.check,
                       cache_dir=b.session.path("") if b.session.persistent else None,
                       save=b.session.persistent)
        return model


# ---- render -------------------------------------------------------------------------------

def render(b: _Build, model: Model, provider: Provider | None, same: bool) -> list[Output]:
    """Every page and file of the site, rendered or reused; then, for `check` and
    `--strict`, every link in them checked."""
    with b.timings.stage("render"):
        job = _render_job(b, model, provider, same)
        outputs = render_site(job)
    # After other errors the link check would only repeat them (a broken Markdown link is
    # already reported with its line).
    if (b.options.strict or not b.write) and not b.report.has_errors:
        with b.timings.stage("links"):
            check_links(outputs, b.report, model.unpublished)
    return outputs


def _render_job(b: _Build, model: Model, provider: Provider | None, same: bool) -> RenderJob:
    session, stage = b.session, b.stage
    if session.templates is None:
        session.templates = TemplateCache()
    if session.persistent:
        if not session.markdown:
            session.markdown = MarkdownMemo(session.path(MARKDOWN_MEMO_FILE))
        if not session.related:
            kept = session.load(RELATED_MEMO_FILE, (RELATED_MEMO_VERSION,))
            session.related.update(kept if isinstance(kept, dict) else {})
    b.before["related"] = _known_related(session.related)
    return RenderJob(
        model=model, theme=find_theme(b.options.site_dir), report=b.report,
        provider=provider, progress=b.progress, markdown=session.markdown,
        jobs=b.options.jobs,
        # `check` writes nothing, not even the image cache.
        image_cache=b.options.site_dir / ".cache" / "images" if b.write else None,
        templates=session.templates, store=session.pages if b.write else None,
        sink=stage.add if stage else None, maps=session.maps, related=session.related,
        # Render workers are forked only once the stage's walker thread is done.
        before_fork=stage.ready if stage else None,
        same_tasks=same)


# ---- index --------------------------------------------------------------------------------

def index(b: _Build, model: Model, outputs: list[Output]) -> list[Output]:
    """The search index. Not for `check`, nor for the preview: editors preview pages, not
    search results, and the index is updated from the files of the last one in output/."""
    if not (b.write and b.options.search and not b.options.preview):
        return []
    with b.timings.stage("search"):
        memo = None
        if b.session.persistent:
            memo = SearchMemo(b.session.path(SEARCH_MEMO_FILE), b.options.out_dir.absolute())
        b.search = memo
        return search_outputs(outputs, model, memo, b.options.jobs)


# ---- write --------------------------------------------------------------------------------

def commit(b: _Build, outputs: list[Output]) -> WriteStats | None:
    """Put the outputs in place, then keep this build's memos for the next one."""
    with b.timings.stage("write"):
        if b.stage is not None:
            for item in outputs:
                if item.path not in b.stage.paths:
                    b.stage.add(item)
            stats = b.stage.commit(defer_cleanup=True)
        elif b.writer is not None:
            stats = b.writer(outputs)
        else:
            stats = write_outputs(outputs, b.options.out_dir, defer_cleanup=True)
        if b.writer is None:  # beside output/, not in it: see write/manifest.py
            known = b.session.load(MANIFEST_MEMO_FILE, (MANIFEST_MEMO_VERSION,))
            made = write_manifest(outputs, b.options.out_dir,
                                  known if isinstance(known, dict) else None)
            b.session.save(MANIFEST_MEMO_FILE, (MANIFEST_MEMO_VERSION,), made)
        _keep_memos(b, outputs)
    return stats


def _keep_memos(b: _Build, outputs: list[Output]) -> None:
    session = b.session
    if session.pages is not None:
        session.pages.commit(outputs)
        session.done()  # the page memo now matches the others
    if isinstance(session.markdown, MarkdownMemo):
        session.markdown.save(limit=4 * len(outputs) + 1000)
    if not session.persistent:
        return
    memo = pinyin.pinyin_memo()
    if tuple(map(len, memo)) != b.before["pinyin"]:
        session.save(pinyin.SORT_KEY_MEMO_FILE, pinyin.SORT_KEY_VERSION, memo)
    if _known_related(session.related) != b.before["related"]:
        session.save(RELATED_MEMO_FILE, (RELATED_MEMO_VERSION,), session.related)
    if b.search is not None:
        b.search.commit(outputs)


def _known_related(memo: dict[str, Any]) -> tuple[str, int]:
    """Which stories' table, and how many of its rows are filled."""
    for signature, table in memo.items():
        return signature, sum(row is not None for row in table)
    return "", 0
