"""render_site: every file of the site as Outputs — pages (rendered, or reused from the last
build when nothing they read changed), feeds, sitemap, assets, media and open data.

Nothing here writes a file: the writer does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from site_builder.core.forkpool import can_fork
from site_builder.core.outputs import Output
from site_builder.incremental.digests import (
    Digests,
    digest,
    shape,
    source_signature,
    world_signature,
)
from site_builder.incremental.pages import PageEntry, PageStore
from site_builder.link.model import Model
from site_builder.render import feeds, workers
from site_builder.render.images import ProcessedImages, process_images
from site_builder.render.opendata import DATA_FILES, open_data
from site_builder.render.pages import RenderJob, SiteRenderer
from site_builder.render.tasks import PageTask, source_of
from site_builder.render.theme import asset_outputs, content_outputs, vendor_outputs, version_of
from site_builder.render.workers import Rendered, render_parallel


def render_site(job: RenderJob) -> list[Output]:
    """Render the whole site to output items: pages, feeds, assets, media.

    With a page memo (`job.store`), a page whose inputs are all as they were last time is
    taken from there instead of rendered again, and `store.pending` says what this build's
    pages read. `job.sink` is given each page (as soon as it is ready when workers render:
    the writer stages it meanwhile); `job.before_fork` is called before render workers are
    forked. `job.same_tasks` says
    that no record's data changed since the build the store describes (its world being
    this one's): each page's task, hence its fingerprint, is as it was.
    """
    assets = asset_outputs(job.theme) + vendor_outputs(job.report)
    images = process_images((a.path for a in job.model.assets), job.model.content_dir,
                            job.image_cache)
    renderer = SiteRenderer(job, {o.path: version_of(o.data) for o in assets}, images)
    tasks = list(renderer.tasks())
    reuse = _plan_reuse(job, renderer, tasks)
    rendered = _render_the_rest(job, renderer, tasks, reuse)
    if job.store is not None:
        _remember_pages(job.store, tasks, reuse, rendered)
    outputs = [o for o in reuse.pages if o is not None]
    return outputs + _site_files(job, renderer, tasks, reuse, assets, images)


@dataclass
class _Reuse:
    """What the page memo says of this build's pages."""

    setting: str = ""  # what every page depends on (code, templates, settings …)
    previous: Mapping[str, PageEntry] = field(default_factory=dict)  # last build's entries
    world: str = ""
    signatures: dict[tuple[str, str], str] = field(default_factory=dict)
    known: bool = False  # the memo's digests hold for this build's world
    digests: Digests | None = None
    fingerprints: list[str] = field(default_factory=list)
    pages: list[Output | None] = field(default_factory=list)  # reused, by task
    todo: list[int] = field(default_factory=list)  # tasks to render


def _plan_reuse(job: RenderJob, renderer: SiteRenderer, tasks: list[PageTask]) -> _Reuse:
    store, model = job.store, job.model
    reuse = _Reuse(pages=[None] * len(tasks))
    if store is None:
        reuse.digests = Digests(model, renderer.md.find, None, {}, job.same_tasks)
        reuse.todo = list(range(len(tasks)))
        return reuse
    reuse.setting = store.setting_prefix() + renderer.setting_digest()
    reuse.previous = previous = store.memo.lookup(reuse.setting)
    reuse.world = world_signature(model)
    reuse.signatures = {item.key: source_signature(item) for item in model.index.values()}
    reuse.known = bool(previous) and store.memo.world == reuse.world
    reuse.digests = Digests(model, renderer.md.find, store.memo if reuse.known else None,
                            reuse.signatures, job.same_tasks)
    changed = reuse.digests.changed(store.memo) if previous else set()
    fingerprint = renderer.fingerprint
    if reuse.known and job.same_tasks:
        # Tasks are made of the records' data only (bodies are read by templates, and
        # recorded as the pages' deps): 10 µs a page not spent (0.19 s at N=300).
        reuse.fingerprints = [e.fingerprint if (e := previous.get(t.file)) is not None
                              else fingerprint(t) for t in tasks]
    else:
        reuse.fingerprints = [fingerprint(t) for t in tasks]
    # The loop every page of a rebuild goes through (18,600 at N=300): lookups bound once.
    get, fetch, unchanged = previous.get, store.fetch, changed.isdisjoint
    fingerprints, pages, todo = reuse.fingerprints, reuse.pages, reuse.todo
    for n, task in enumerate(tasks):
        entry = get(task.file)
        if entry is not None and entry.fingerprint == fingerprints[n] \
                and unchanged(entry.deps):
            page = fetch(task.file, entry)
            if page is not None:
                page.source = source_of(task)
                pages[n] = page
                continue
        todo.append(n)
    store.reused = len(tasks) - len(todo)
    return reuse


def _render_the_rest(job: RenderJob, renderer: SiteRenderer, tasks: list[PageTask],
                     reuse: _Reuse) -> list[Rendered]:
    """Render the pages not reused, in workers when there are many; each page goes to the
    sink (the writer's stage) as soon as it is ready."""
    todo_tasks = [tasks[n] for n in reuse.todo]
    parallel = job.jobs > 1 and len(todo_tasks) >= workers.PARALLEL_MIN_PAGES and can_fork()
    # With workers, this process stages pages while they render. Without, the few pages
    # are rendered first and staged after: the stage may still be being copied from
    # output/ (a first rebuild), and is waited for as late as possible.
    early = job.sink if parallel else None
    if early is not None:
        for page in reuse.pages:
            if page is not None:
                early(page)
    advance = _advancing(job, early, len(tasks) - len(todo_tasks), len(tasks))
    if parallel:
        if job.before_fork is not None:
            job.before_fork()
        rendered = render_parallel(renderer, todo_tasks, job.jobs, advance)
    else:
        rendered = []
        for task in todo_tasks:
            rendered.append(renderer.render_page(task))
            advance(rendered[-1:])
    for n, (out, _) in zip(reuse.todo, rendered, strict=True):
        reuse.pages[n] = out
    if job.sink is not None and early is None:
        for page in reuse.pages:
            if page is not None:
                job.sink(page)
    return rendered


def _advancing(job: RenderJob, early: Callable[[Output], None] | None, done: int,
               total: int) -> Callable[[list[Rendered]], None]:
    """What to do with each batch of rendered pages: stage it, count it, tell progress."""
    count = [done]

    def advance(finished: list[Rendered]) -> None:
        count[0] += len(finished)
        if early is not None:
            for out, _ in finished:
                if out is not None:
                    early(out)
        if job.progress is not None:
            job.progress(min(count[0], total), total)

    return advance


def _remember_pages(store: PageStore, tasks: list[PageTask], reuse: _Reuse,
                    rendered: list[Rendered]) -> None:
    """This build's page memo: what each rendered page read, the reused pages' entries."""
    assert reuse.digests is not None
    # The reused pages' keys are unchanged, so the table carries over with their numbers;
    # the rendered pages' keys are numbered (and their digests taken) as they are now.
    pending = store.memo.successor(
        reuse.setting, reuse.digests.table_now(store.memo) if reuse.previous else [],
        reuse.world, reuse.signatures)
    number, of = pending.number, reuse.digests.of
    for n, (out, deps) in zip(reuse.todo, rendered, strict=True):
        if out is not None and deps is not None:
            pending.entries[tasks[n].file] = PageEntry(
                reuse.fingerprints[n], tuple(number(k, of(k)) for k in deps))
    todo = set(reuse.todo)
    for n, task in enumerate(tasks):
        if n not in todo:
            pending.entries[task.file] = reuse.previous[task.file]
    store.pending = pending


def _site_files(job: RenderJob, renderer: SiteRenderer, tasks: list[PageTask],
                reuse: _Reuse, assets: list[Output], images: ProcessedImages
                ) -> list[Output]:
    """Feeds, sitemap, assets, media and open data."""
    store, model = job.store, job.model
    # Files made of the records' data alone (no body): with the same tasks (see above),
    # those of the last build, linked from output/ (0.05 s at N=300).
    same = store is not None and reuse.known and job.same_tasks
    sitemap = _kept(store, reuse.previous, ("sitemap.xml",)) if same else None
    # The search page is noindex: it stays out of the sitemap like the 404 page.
    outputs = feeds.feed_outputs(model, [t for t in tasks
                                         if t.path not in ("404.html", "search/")],
                                 renderer.md, sitemap[0] if sitemap else None)
    if store is not None and not sitemap:
        assert store.pending is not None
        store.pending.entries["sitemap.xml"] = PageEntry("sitemap", ())
    outputs.extend(assets)
    outputs.extend(content_outputs(model, images))
    data = _kept(store, reuse.previous, DATA_FILES) if same else None
    assert reuse.digests is not None
    outputs.extend(data or _open_data(model, reuse.digests, store, reuse.previous))
    return outputs


def _kept(store: PageStore | None, previous: Mapping[str, PageEntry],
          paths: Sequence[str]) -> list[Output] | None:
    """The last build's files at `paths`, carried into this build's memo; None unless all
    are still there as written."""
    if store is None or store.pending is None:
        return None
    entries = [previous.get(path) for path in paths]
    found = [store.fetch(path, e) for path, e in zip(paths, entries, strict=True)
             if e is not None]
    if len(found) != len(paths) or any(o is None for o in found):
        return None
    store.pending.entries.update(
        (path, e) for path, e in zip(paths, entries, strict=True) if e is not None)
    return found


_OPEN_DATA_MEMO: dict[str, list[tuple[str, bytes]]] = {}


def _open_data(model: Model, digests: Digests, store: PageStore | None,
               previous: Mapping[str, PageEntry]) -> list[Output]:
    """The open-data files, made again only when a station, alliance or member changed.

    A build keeps them in the page memo like pages (their key as the fingerprint), so the
    next one links them from output/ instead of writing 10,000 rows again."""
    key = digest((shape(model.config), [(i.record_kind, i.slug, digests.of(("i", *i.key)))
                                        for i in (*model.stations, *model.alliances,
                                                  *model.enterprises)]))
    if store is not None:
        assert store.pending is not None
        kept = [(path, previous.get(path)) for path in DATA_FILES]
        if all(e is not None and e.fingerprint == key for _, e in kept):
            found = [store.fetch(path, e) for path, e in kept if e is not None]
            if all(o is not None for o in found):
                store.pending.entries.update((p, e) for p, e in kept if e is not None)
                return found
        store.pending.entries.update((path, PageEntry(key, ())) for path in DATA_FILES)
    if key not in _OPEN_DATA_MEMO:
        _OPEN_DATA_MEMO.clear()
        _OPEN_DATA_MEMO[key] = list(open_data(model))
    return [Output(path, data) for path, data in _OPEN_DATA_MEMO[key]]

