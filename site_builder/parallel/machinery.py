"""The machinery around a build, set up in the order its invariants need and torn down whatever
happens: the cycle collector off, the lock, the stage and the cleanup of the last output."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from site_builder.core.config import BuildOptions
from site_builder.core.diagnostics import Report
from site_builder.incremental.session import Session
from site_builder.write.swap import start_cleanup
from site_builder.write.writer import Stage


@contextmanager
def machinery(options: BuildOptions, session: Session, report: Report, on_disk: bool
              ) -> Iterator[tuple[Stage | None, bool]]:
    """The lock, the stage and the collector, set up in the order their invariants need
    and torn down whatever happens."""
    # A build makes millions of objects and frees them at the end; the cycle collector
    # would walk the whole heap over and over meanwhile (a third of a warm rebuild of
    # 10,000 pages). Reference counting still frees nearly everything as it goes.
    enabled = gc.isenabled()
    gc.disable()
    stage = cleanup = None
    try:
        with session.lock(report, waiting=_say_waiting) as locked:
            if locked and on_disk:
                # Pages are staged beside output/ as they are rendered (the disk works
                # while the CPU does); an error later discards the stage and output/ stays
                # as it was. Made first: copying the last output into it runs meanwhile.
                stage = Stage(options.out_dir, recycle=True)
                cleanup = start_cleanup(options.out_dir)
            session.begin()
            try:
                yield stage, locked
            finally:
                if stage is not None:
                    stage.abort()
                if cleanup is not None:
                    cleanup.join()
    finally:
        if enabled:
            gc.enable()


def _say_waiting(pid: int | None) -> None:
    import sys

    who = f"（进程 {pid}）" if pid else ""
    print(f"另一个生成过程{who}正在生成这个网站，等它结束后再开始……", file=sys.stderr, flush=True)
