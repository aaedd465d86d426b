"""Content files' dates from git: the last commit (更新日期) and the first (published).

One `git log` for the whole content folder, never one per file. The dates are the
committers' dates of the commits, so a build of a given commit shows the same dates on
any machine, as Hugo's enableGitInfo does; uncommitted edits change nothing. Outside a
git repository (or without git) there are no dates: never a file's time, which a copy or
a checkout resets.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Editors date stories in Beijing time: a commit at 23:30 UTC is the next day here.
_BEIJING = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class GitDates:
    """Per file under content/ (forward slashes): its last and first commit's dates."""

    last: dict[str, dt.date] = field(default_factory=dict)
    first: dict[str, dt.date] = field(default_factory=dict)
    head: str = ""  # the commit they describe; "" outside a repository


NO_DATES = GitDates()
# The dates of the commit last read, by content folder: a preview rebuild on every save
# runs only `git rev-parse` (2 ms) while HEAD stays where it was.
_MEMO: dict[str, GitDates] = {}


def _git(folder: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True,
                              timeout=120, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def read_git_dates(content_dir: Path) -> GitDates:
    """The git dates of every committed file under `content_dir`, or none outside git."""
    folder = content_dir.resolve() if content_dir.is_dir() else content_dir
    head = _git(folder, "rev-parse", "--verify", "-q", "HEAD")
    if not head:
        return NO_DATES
    commit = head.decode("ascii", "replace").strip()
    known = _MEMO.get(str(folder))
    if known is not None and known.head == commit:
        return known
    # \x01 opens each commit: its date, then the files it touched (NUL-separated, paths
    # relative to content/). Renames count as a new file: its first commit is the rename.
    log = _git(folder, "log", "--relative", "--no-renames", "--format=%x01%cI",
               "--name-only", "-z", "HEAD", "--", ".")
    if log is None:
        return NO_DATES
    dates = parse_log(log)
    found = GitDates(dates[0], dates[1], commit)
    _MEMO.clear()
    _MEMO[str(folder)] = found
    return found


def parse_log(log: bytes) -> tuple[dict[str, dt.date], dict[str, dt.date]]:
    """(last, first) commit dates per file from `git log --format=%x01%cI --name-only -z`,
    newest commit first."""
    last: dict[str, dt.date] = {}
    first: dict[str, dt.date] = {}
    for chunk in log.split(b"\x01")[1:]:
        stamp, _, names = chunk.partition(b"\0")
        try:
            day = dt.datetime.fromisoformat(stamp.decode("ascii").strip()).astimezone(
                _BEIJING).date()
        except ValueError:
            continue
        for raw in names.split(b"\0"):
            name = raw.strip(b"\n").decode("utf-8", "surrogateescape")
            if name:
                last.setdefault(name, day)
                first[name] = day  # older commits come later
    return last, first
