"""The copier: a hard-linked copy of output/ made into the stage by two small processes while
the build parses (a rebuild without a spare starts from it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# The copier runs in its own small interpreter (no site_builder imported: it starts in
# a few milliseconds), split into two processes. It only makes folders and hard links:
# `cp -al` also copies every folder's owner, mode and times. At N=300 it copies output/ in
# 0.5-0.6 s where `cp -al` took 1.2 s (both measured into fresh folders, alternately).
_COPIER = """
import os, stat, sys
os.nice(10)  # the build itself comes first; the copy is needed only when pages are staged
source, target, listing = (os.fsencode(a) for a in sys.argv[1:4])
with open(listing, "rb") as f:
    entries = [e for e in f.read().split(b"\\0") if e]
def copy_folder(rel):
    os.mkdir(target + b"/" + rel)
    with os.scandir(source + b"/" + rel) as inner:
        for entry in inner:
            sub = rel + b"/" + entry.name
            if entry.is_dir(follow_symlinks=False):
                copy_folder(sub)
            else:
                os.link(entry.path, target + b"/" + sub, follow_symlinks=False)
child = os.fork()
failed = False
half = len(entries) // 2  # in sorted halves: two processes in one folder slow each other
for n, rel in enumerate(entries):
    if (n < half) == (child == 0):
        continue
    try:
        if stat.S_ISDIR(os.lstat(source + b"/" + rel).st_mode):
            copy_folder(rel)
        else:
            os.link(source + b"/" + rel, target + b"/" + rel, follow_symlinks=False)
    except OSError:
        failed = True
if child == 0:
    os._exit(int(failed))
_, status = os.waitpid(child, 0)
code = int(failed or status != 0)
os.write(1, b"%d" % code)  # the copy is done: the build goes on without waiting for what
os.close(1)                # follows, flushing the 56,000 entries it made (0.1 s at N=300)
os.sync()                  # before the build's own sync, which then finds them written
sys.exit(code)
"""


def _copy_linked(source: Path, target: Path) -> subprocess.Popen[bytes]:
    """Start copying `source` into `target` as hard links, in other processes (exit
    status 0 when every file and folder was copied).

    The entries below the top level are shared out between two processes; the top-level
    folders are made here first, so neither has to."""
    entries: list[str] = []
    with os.scandir(source) as top:
        for entry in top:
            if entry.is_dir(follow_symlinks=False):
                with os.scandir(entry.path) as inner:
                    found = [f"{entry.name}/{e.name}" for e in inner]
                (target / entry.name).mkdir(exist_ok=True)
                entries.extend(found)
            else:
                entries.append(entry.name)
    entries.sort()
    # The list is a file, not a pipe: render workers forked meanwhile would hold a pipe's
    # write end open, and the copier would wait for its end (and this build for it)
    # forever. In the stage it is a stale file like any other, deleted before the swap.
    listing = target / COPY_LIST
    listing.write_bytes(b"\0".join(map(os.fsencode, entries)))
    return subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _COPIER, str(source), str(target), str(listing)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True)


def _copied(copier: subprocess.Popen[bytes]) -> bool:
    """Wait until the copier says it is done (it then flushes what it made, and exits):
    True when it copied everything. A copier that died says nothing."""
    assert copier.stdout is not None
    return copier.stdout.read(1) == b"0"


COPY_LIST = ".site-builder-copy-list"


_FLUSHING: list[subprocess.Popen[bytes]] = []  # copiers still flushing after their commit
