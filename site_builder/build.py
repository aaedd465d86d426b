"""Orchestration: the pipeline, top to bottom, with a timing per stage.

    load → config → validate → link → render → write

`check` is the same run stopping before the writer. Any error means the writer is never
called, so the previous output stays exactly as it was.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.core import cachefile
from site_builder.core import pinyin as terms
from site_builder.core.config import BuildOptions, SiteConfig, make_config
from site_builder.core.diagnostics import Report
from site_builder.core.outputs import Output
from site_builder.incremental.pages import DiskStore, MemoryStore, PageStore
from site_builder.incremental.validated import (
    VALID_MEMO_FILE,
    check_row,
    from_row,
    load_validated,
    same_data,
    save_validated,
    storable,
)
from site_builder.link.model import Model, link_model
from site_builder.load.sources import (
    DOC_MEMO_FILE,
    DocMemo,
    SourceDoc,
    load_doc_memo,
    load_sources,
    record_name,
    save_doc_memo,
)
from site_builder.parallel.lookahead import Lookahead
from site_builder.parallel.warmup import Warmup
from site_builder.render.linkcheck import check_links
from site_builder.render.maps import provider_for
from site_builder.render.mapshapes import MAP_MEMO_FILE, MAP_MEMO_VERSION
from site_builder.render.markdown import MARKDOWN_MEMO_FILE, MarkdownMemo
from site_builder.render.pages import TemplateCache, find_theme, render_site
from site_builder.search.index import SEARCH_MEMO_FILE, SearchMemo, search_outputs
from site_builder.validate.schema import Validated, validate_doc
from site_builder.write.writer import Stage, WriteStats, start_cleanup, write_outputs


@dataclass
class BuildCache:
    """State kept between builds of one serve session: memo of costly leaf work."""

    markdown: dict[str, Any] = field(default_factory=dict)
    templates: TemplateCache = field(default_factory=TemplateCache)
    pages: MemoryStore = field(default_factory=MemoryStore)
    docs: DocMemo = field(default_factory=dict)  # files unchanged since last time
    validated: dict[int, tuple[SourceDoc, Validated]] = field(default_factory=dict)
    maps: dict[str, Any] = field(default_factory=dict)  # folium map shapes by their inputs
    related: dict[str, Any] = field(default_factory=dict)  # related stories, by their links


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


STATE_FILE = "memos.marshal"  # "done" once a build saved its page memo, "open" before
STATE_VERSION = 1
RELATED_MEMO_FILE = "related.marshal"
RELATED_MEMO_VERSION = 1


def _known_related(memo: dict[str, Any]) -> tuple[str, int]:
    """Which stories' table, and how many of its rows are filled."""
    for signature, table in memo.items():
        return signature, sum(row is not None for row in table)
    return "", 0


def _validate(doc: SourceDoc, report: Report, cache: BuildCache,
              done: Mapping[str, tuple[Any, ...]]) -> Validated:
    """Validate `doc`, or reuse the result for the same document read last time, or the
    one the parse worker made (`done`: validation memo rows by file)."""
    known = cache.validated.get(id(doc))
    if known is not None and known[0] is doc:
        return known[1]
    row = done.get(doc.path)
    if row is not None:
        found = from_row(doc, row)
        if found is not None:
            cache.validated[id(doc)] = (doc, found)
            return found
    before = len(report)
    result = validate_doc(doc, report)
    if len(report) == before:  # problems must be reported again by every build
        cache.validated[id(doc)] = (doc, result)
    return result


def run(options: BuildOptions, *, write: bool = True, cache: BuildCache | None = None,
        progress: Callable[[int, int], None] | None = None,
        writer: Callable[[list[Output]], WriteStats | None] | None = None) -> BuildResult:
    """Build the site described by `options`; write it unless `write` is False."""
    # A build makes millions of objects and frees them at the end; the cycle collector
    # would walk the whole heap over and over meanwhile (a third of a warm rebuild of
    # 10,000 pages). Reference counting still frees nearly everything as it goes.
    enabled = gc.isenabled()
    gc.disable()
    # Forked first, while this process is small and has no other thread (see warmup.py).
    warm = Warmup.start(options) if write and writer is None else None
    if warm is not None:
        terms.use_helper(warm.read_pinyin)
    try:
        return _run(options, write=write, cache=cache, progress=progress, writer=writer,
                    warm=warm)
    finally:
        if warm is not None:
            terms.use_helper(None)
            warm.close()
        if enabled:
            gc.enable()


def _run(options: BuildOptions, *, write: bool, cache: BuildCache | None,
         progress: Callable[[int, int], None] | None,
         writer: Callable[[list[Output]], WriteStats | None] | None,
         warm: Warmup | None = None) -> BuildResult:
    report = Report()
    report.strict = options.strict
    timings = _Timings()
    cache = cache or BuildCache()

    # A build from the command line keeps what it parsed in .cache/ for the next one.
    doc_file = options.site_dir / ".cache" / DOC_MEMO_FILE if write and not writer else None
    # Pages are staged beside output/ as they are rendered (the disk works while the CPU
    # does); an error anywhere later discards the stage and output/ stays as it was. It is
    # made first: copying the previous output into it runs while this process parses.
    stage = Stage(options.out_dir, recycle=True, walk=False) if write and writer is None \
        else None
    ahead: Lookahead | None = None
    cleanup = None
    try:
        if stage is not None:
            # Forked before this build starts a thread of its own (the walker of the
            # stage's old tree, the cleanup of replaced outputs): see lookahead.py.
            if doc_file is not None:
                ahead = Lookahead.start(options.content_dir, doc_file.parent,
                                        options.out_dir, stage.old_tree, options.jobs)
            stage.start_walk(ahead.stage_files if ahead is not None else None)
            cleanup = start_cleanup(options.out_dir)
        return _stages(options, report, timings, cache, doc_file, stage, write=write,
                       progress=progress, writer=writer, warm=warm, ahead=ahead)
    finally:
        if ahead is not None:  # before the stage it may still be listing is moved
            ahead.close()
        if stage is not None:
            stage.abort()
        if cleanup is not None:
            cleanup.join()


def _stages(options: BuildOptions, report: Report, timings: _Timings, cache: BuildCache,
            doc_file: Path | None, stage: Stage | None, *, write: bool,
            progress: Callable[[int, int], None] | None,
            writer: Callable[[list[Output]], WriteStats | None] | None,
            warm: Warmup | None = None, ahead: Lookahead | None = None) -> BuildResult:
    changed: set[str] | None = None  # files read anew since the last build, or gone
    # The memos of parsed and validated files describe the build the page memo describes
    # unless a build saved them and then failed or was stopped before its page memo.
    state_file = doc_file.with_name(STATE_FILE) if doc_file is not None else None
    in_step = state_file is not None and cachefile.load(state_file, (STATE_VERSION,)) == "done"
    opened = False

    def opening() -> None:  # before the first memo of a build is saved
        nonlocal opened
        if state_file is not None and not opened:
            cachefile.save(state_file, (STATE_VERSION,), "open")
            opened = True

    store: PageStore | None = None
    with timings.stage("load"):
        if doc_file is not None and not cache.docs:
            cache.docs.update(load_doc_memo(doc_file))
        # The preview keeps the last pages in memory; a build finds them in output/. Read
        # here, while the lookahead walks content/.
        if write:
            store = cache.pages if writer else DiskStore(
                options.site_dir / ".cache", options.out_dir,
                ahead.pages if ahead is not None else None)
        before = dict(cache.docs)
        sources = load_sources(options.content_dir, report, cache.docs, options.jobs,
                               ahead.content() if ahead is not None else None, check_row)
        if doc_file is not None:
            read = {rel for rel, known in cache.docs.items() if before.get(rel) is not known}
            read.update(rel for rel in before if rel not in cache.docs)
            if read:
                opening()
                save_doc_memo(cache.docs, doc_file, None if not before else read)
            changed = read if before else None
    with timings.stage("validate"):
        site = validate_doc(sources.site, report) if sources.site else None
        config = make_config(dict(site.data) if site else {}, options, report,
                             site.positions if site else None)
        # Without site.yaml that file's absence is the one problem worth reporting.
        provider = provider_for(config.map, report if site else Report(),
                                site.positions if site else None)
        valid_file = doc_file.with_name(VALID_MEMO_FILE) if doc_file is not None else None
        stored: set[str] | None = None
        rows: dict[str, Any] = {}
        if valid_file is not None and not cache.validated:  # a fresh process
            kept, stored = load_validated(valid_file, sources.docs, rows)
            cache.validated.update((id(v.doc), (v.doc, v)) for v in kept)
        validated = [_validate(doc, report, cache, sources.validated) for doc in sources.docs]
        # Only Markdown bodies changed: every page's task (made of records' data, never of
        # bodies) is what it was, and so is its fingerprint (render_site).
        anew = [v for v in validated if v.doc.path in changed] if changed else []
        same = (in_step and changed is not None and stored is not None and not report.has_errors
                and len(anew) == len(changed) and same_data(anew, rows))
        rows.clear()  # the previous rows (18,000 at N=300) are not needed any more
        if valid_file is not None and stored is not None:
            keep = [v for _, v in cache.validated.values() if storable(v)]
            now = {v.doc.path for v in keep}
            # Shards to write: new rows, and rows to drop (file gone, or now a problem).
            changed = (now - {v.doc.path for v in kept}) | (stored - now)
            if changed:
                opening()
                save_validated(valid_file, keep, changed if stored else None)
    live = {id(doc) for doc in sources.docs}
    for gone in [k for k in cache.validated if k not in live]:
        del cache.validated[gone]
    with timings.stage("link"):
        keys_file = options.site_dir / ".cache" / terms.SORT_KEY_MEMO_FILE
        kept = cachefile.load(keys_file, terms.SORT_KEY_VERSION) if doc_file else None
        terms.remember_pinyin(kept)
        # The names a build sorts by, read by the helper in one go. Not when .cache/ had
        # the keys: reading every record's name would decode the records the doc memo
        # keeps encoded until used (0.1 s and 100 MB at N=300).
        if warm is not None and kept is None:
            terms.prefetch_sort_keys(n for d in sources.docs if (n := record_name(d.data)))
        # Saved when it grew, or when .cache/ had none (the tables are the process's).
        keys_before = tuple(map(len, terms.pinyin_memo())) if kept is not None else None
        model = link_model(validated, config, options, sources.assets, report)
    outputs: list[Output] = []
    markdown: dict[str, Any] = cache.markdown
    search_memo: SearchMemo | None = None
    stats = None
    if not report.has_errors:
        with timings.stage("render"):
            theme = find_theme(options.site_dir)
            # `check` writes nothing, not even the image cache.
            image_cache = options.site_dir / ".cache" / "images" if write else None
            if doc_file is not None and not markdown:
                markdown = MarkdownMemo(options.site_dir / ".cache" / MARKDOWN_MEMO_FILE)
            map_file = options.site_dir / ".cache" / MAP_MEMO_FILE
            if doc_file is not None and not cache.maps:
                cache.maps.update(cachefile.load(map_file, (MAP_MEMO_VERSION,)) or {})
            shapes_before = len(cache.maps)
            prepared = warm.prepare(config.lang, provider, config.map.center,
                                    config.map.zoom) if warm is not None else None
            if prepared is not None:  # inherited by the render workers
                cache.templates.remember(prepared[0])
                for key, shape in prepared[1].items():
                    cache.maps.setdefault(key, shape)
            compiled = ahead.templates() if ahead is not None else None
            if compiled:
                cache.templates.remember(compiled)
            related_file = options.site_dir / ".cache" / RELATED_MEMO_FILE
            if doc_file is not None and not cache.related:
                kept = cachefile.load(related_file, (RELATED_MEMO_VERSION,))
                cache.related.update(kept if isinstance(kept, dict) else {})
            related_before = _known_related(cache.related)
            # Render workers are forked only once the stage's walker thread is done.
            outputs = render_site(model, theme, report, provider, progress, markdown,
                                  options.jobs, image_cache, cache.templates, store,
                                  stage.add if stage else None, cache.maps, cache.related,
                                  stage.ready if stage else None,
                                  (stage.direct, stage.twin, stage.adopt)
                                  if stage and stage.direct else None, same_tasks=same)
        # `check` and `build --strict` crawl every link of the output; after other errors it
        # would only repeat them (a broken Markdown link is already reported with its line).
        if (options.strict or not write) and not report.has_errors:
            with timings.stage("links"):
                check_links(outputs, report, model.unpublished)
        # Not for `check`, nor for the live preview: editors preview pages, not search
        # results, and the index is updated from the files of the last one in output/.
        if write and options.search and not options.preview and not report.has_errors:
            with timings.stage("search"):
                if doc_file is not None:
                    search_memo = SearchMemo(options.site_dir / ".cache" / SEARCH_MEMO_FILE,
                                             options.out_dir.absolute(),
                                             checked=ahead.index if ahead else None)
                outputs.extend(search_outputs(outputs, model, search_memo, options.jobs))
    if write and not report.has_errors:
        with timings.stage("write"):
            if stage is not None:
                for item in outputs:
                    if item.path not in stage.paths:
                        stage.add(item)
                stats = stage.commit(defer_cleanup=True)
            else:
                stats = writer(outputs) if writer else write_outputs(outputs, options.out_dir,
                                                                     defer_cleanup=True)
            if store is not None:
                store.commit(outputs)
                if state_file is not None:  # the page memo now matches the others
                    cachefile.save(state_file, (STATE_VERSION,), "done")
            if isinstance(markdown, MarkdownMemo):
                markdown.save(limit=4 * len(outputs) + 1000)
            if doc_file is not None and tuple(map(len, terms.pinyin_memo())) != keys_before:
                cachefile.save(keys_file, terms.SORT_KEY_VERSION, terms.pinyin_memo())
            if doc_file is not None and _known_related(cache.related) != related_before:
                cachefile.save(related_file, (RELATED_MEMO_VERSION,), cache.related)
            if doc_file is not None and len(cache.maps) != shapes_before:
                cachefile.save(map_file, (MAP_MEMO_VERSION,), cache.maps)
            if search_memo is not None:
                search_memo.commit(outputs)
    return BuildResult(report, config, model, tuple(outputs), stats, dict(timings))
