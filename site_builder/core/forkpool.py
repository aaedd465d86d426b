"""Forked worker pools: the one place where a build's stages start processes.

Workers are forked, so they inherit what the parent holds (the files to parse, the linked
model and its renderer, the pages to index) instead of receiving it pickled; results come
back in the order of the chunks, so a parallel run gives exactly what a serial one gives.
Parsing (load/sources.py), rendering (render/workers.py) and indexing (search/index.py) use
it; each decides from its own measured threshold whether many processes pay.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def can_fork() -> bool:
    """Whether this platform can fork workers (not Windows)."""
    return "fork" in multiprocessing.get_all_start_methods()


def in_order(function: Callable[[T], R], chunks: Iterable[T], jobs: int,
             initializer: Callable[..., None] | None = None,
             initargs: tuple[Any, ...] = ()) -> Iterator[R]:
    """`function` of each chunk, computed in `jobs` forked processes, in chunk order."""
    with multiprocessing.get_context("fork").Pool(jobs, initializer, initargs) as pool:
        yield from pool.imap(function, chunks)
