"""Keep deleted trees from slowing the builds a benchmark measures.

On ext4 without a journal (this project's machines) the kernel will not hand out an inode
that was freed in the last 60 s, or 300 s more while its inode table block is unwritten
(fs/ext4/ialloc.c, recently_deleted()). Every new file or folder then scans past all such
inodes from the start of its block group. Right after a build's output (36,000 inodes) is
deleted, writing the next one takes 10-15 s of kernel time instead of 1 s: measured here,
20,000 folders with one 13 KB file each took 1.2-1.5 s into a quiet disk and 9-17 s right
after deleting as many. Whichever build comes next pays, so benchmarks that deleted the
previous round's output before each build measured the deletion more than the build.

So the benchmarks build into fresh folders, delete nothing between measured builds, delete
their outputs at the end, and, when a run starts soon after a deletion, wait for the
window to pass (`--no-settle` skips the wait and says the figures may be slowed).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

WINDOW = 370.0  # seconds: 60 + 300 in the kernel, and a margin
MARK = ".last-deletion"  # in the benchmark's work folder: when it last deleted a tree


def remove_trees(work: Path, trees: Iterable[Path]) -> bool:
    """Delete `trees` (those that exist); note the time if any was deleted."""
    removed = False
    for tree in trees:
        if tree.is_dir() and not tree.is_symlink():
            shutil.rmtree(tree, ignore_errors=True)
            removed = True
        elif tree.exists():
            tree.unlink()
    if removed:
        work.mkdir(parents=True, exist_ok=True)
        (work / MARK).write_text(f"{time.time():.0f}\n", encoding="utf-8")
    return removed


def settle(work: Path, wait: bool = True, log: bool = True) -> float:
    """Wait until the last deletion noted in `work` is out of the kernel's window.

    Returns the seconds waited (or, with wait=False, the seconds that were left)."""
    try:
        last = float((work / MARK).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    left = min(WINDOW, last + WINDOW - time.time())  # a clock set back waits no longer
    if left <= 0:
        return 0.0
    ago = max(0.0, WINDOW - left)
    if not wait:
        if log:
            print(f"note: a benchmark deleted a build output {ago:.0f} s ago; new "
                  "files are slow to create for a few minutes after that on ext4 without a "
                  "journal (see benchmarks/settle.py), so these figures may be slowed",
                  flush=True)
        return left
    if log:
        print(f"waiting {left:.0f} s: output deleted {ago:.0f} s ago still slows "
              "the creation of new files (ext4, see benchmarks/settle.py; --no-settle skips)",
              flush=True)
    os.sync()
    time.sleep(left)
    return left
