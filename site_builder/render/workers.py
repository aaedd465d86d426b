"""Render workers: forked processes that render pages of the inherited model in chunks, in
order, and send back the pages, what they read and their problems."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from site_builder.core.diagnostics import Report
from site_builder.core.forkpool import in_order
from site_builder.core.outputs import Output
from site_builder.incremental.deps import (
    DepKey,
)
from site_builder.render.pages import SiteRenderer
from site_builder.render.tasks import PageTask

# Below this many pages, starting processes costs more than it saves.
PARALLEL_MIN_PAGES = 400


_CHUNK = 64




# The renderer a forked worker inherited from its parent (set once per worker process),
# and its tasks.
_worker_renderer: list[SiteRenderer] = []


_worker_tasks: list[list[PageTask]] = []


Rendered = tuple[Output | None, list[DepKey] | None]


def _init_worker(renderer: SiteRenderer, tasks: list[PageTask]) -> None:
    _worker_renderer.append(renderer)
    _worker_tasks.append(tasks)
    renderer.report = Report()  # collect this worker's problems apart, to send them back


def _render_chunk(bounds: tuple[int, int]) -> tuple[
        list[Rendered], list[Any], dict[str, Any], dict[str, Any]]:
    renderer, tasks = _worker_renderer[0], _worker_tasks[0]
    start = len(renderer.report)
    renderer.md.added.clear()
    shapes = renderer.maps.added if renderer.maps else {}
    shapes.clear()
    done = [renderer.render_page(t) for t in tasks[bounds[0]:bounds[1]]]
    problems = list(renderer.report.items[start:]) if len(renderer.report) > start else []
    # The parent keeps the memo of Markdown and map shapes (and saves it in .cache/).
    return done, problems, dict(renderer.md.added), dict(shapes)


def render_parallel(renderer: SiteRenderer, tasks: list[PageTask], jobs: int,
                    progress: Callable[[list[Rendered]], None]) -> list[Rendered]:
    """Render pages in forked processes; the model is inherited, never pickled."""
    chunks = [(i, min(i + _CHUNK, len(tasks))) for i in range(0, len(tasks), _CHUNK)]
    rendered: list[Rendered] = []
    # In chunk order, so the output order is the serial one.
    for done, problems, markdown, shapes in in_order(_render_chunk, chunks, jobs, _init_worker,
                                                     (renderer, tasks)):
        rendered.extend(done)
        renderer.report.extend(problems)
        for key, value in markdown.items():
            renderer.md.remember(key, value)
        if renderer.maps is not None:
            renderer.maps.remember(shapes)
        progress(done)
    return rendered
