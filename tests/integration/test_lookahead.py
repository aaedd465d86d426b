"""The stamp checks a rebuild gets from a forked process (lookahead.py): the same answers
as its own checks would give, used only for the memo files it read, and never a
different site when the checker dies, lies or hangs."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import site_builder.parallel.lookahead as lookahead
from site_builder.build import run
from site_builder.core.cachefile import file_stamp
from site_builder.core.config import BuildOptions
from site_builder.load.sources import list_content
from site_builder.parallel.lookahead import Lookahead
from site_builder.write.files import _files
from tests.conftest import tree
from tests.integration.test_incremental import EDITS, STORY, clean_build

STORY_NAME = Path(STORY).name


@pytest.fixture
def rebuilt(scratch_demo: Path) -> Path:
    """The demo built twice: output/, its spare and .cache/ as a rebuild finds them."""
    for _ in range(2):
        assert run(BuildOptions(site_dir=scratch_demo, jobs=2)).ok
    assert (scratch_demo / ".output.spare").is_dir()
    return scratch_demo


def _start(site: Path, stage: Path | None = None) -> Lookahead:
    ahead = Lookahead.start(site / "content", site / ".cache", site / "output", stage, 2)
    assert ahead is not None
    return ahead


def test_the_checker_finds_what_the_build_would(rebuilt: Path) -> None:
    out = rebuilt / "output"
    page = out / "stories" / "index.html"
    page.write_bytes(page.read_bytes() + b" ")  # edited in place: same inode
    gone = out / "pages" / "about" / "index.html"
    gone.unlink()
    index = sorted((out / "search-index").rglob("*.json"))[3]
    data = index.read_bytes()
    index.unlink()
    index.write_bytes(data)  # the same bytes in another file
    spare = rebuilt / ".output.spare"
    ahead = _start(rebuilt, spare)
    try:
        # Asked out of order: each result is kept until it is asked for.
        assert ahead.stage_files() == _files(str(spare))
        assert ahead.content() == list_content(rebuilt / "content")
        compiled = ahead.templates()
        assert compiled is not None and len(compiled) > 10
        assert ahead.index(file_stamp(str(rebuilt / ".cache" / "search.marshal"))) == {
            index.relative_to(out).as_posix()}
        assert ahead.pages(file_stamp(str(rebuilt / ".cache" / "pages.marshal"))) == {
            "stories/index.html", "pages/about/index.html"}
    finally:
        ahead.close()


def test_results_for_another_memo_file_are_not_used(rebuilt: Path) -> None:
    ahead = _start(rebuilt)
    try:
        assert ahead.pages((1, 2, 3)) is None  # the build read another pages.marshal
        assert ahead.stage_files() is None  # no stage was given to list
    finally:
        ahead.close()
    assert not ahead.alive


def test_no_checker_for_one_job_or_a_first_build(scratch_demo: Path) -> None:
    where = (scratch_demo / "content", scratch_demo / ".cache", scratch_demo / "output")
    assert Lookahead.start(*where, None, 2) is None  # no memo: nothing to check
    assert run(BuildOptions(site_dir=scratch_demo)).ok
    assert Lookahead.start(*where, None, 1) is None
    ahead = Lookahead.start(*where, None, 2)
    assert ahead is not None
    ahead.close()


def test_with_two_jobs_the_build_itself_stats_no_kept_file(
        rebuilt: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts of os.stat and listings in this process, kept on purpose: taking these off
    the build's busy core is all the checker is for, and the same bytes come out whether
    it works or not (test_incremental compares this very edit with two jobs against a
    clean build), so only the counts tell that it does."""
    out = str(rebuilt / "output") + "/"
    me = os.getpid()
    stats: list[str] = []
    real = os.stat
    content = str(rebuilt / "content") + "/"
    read: list[str] = []  # content files statted here
    listed: list[str] = []  # the stage's old tree listed here
    import site_builder.write.writer as writer

    def counted(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        name = str(path)
        if os.getpid() == me and name.startswith(out) and (
                name.endswith(".html") or "/search-index/" in name):
            stats.append(name)  # the pages and index files the memos stamped
        if os.getpid() == me and name.startswith(content) and name.endswith(
                (".md", ".yaml")) and not name.endswith(("/site.yaml", "/glossary.yaml")):
            read.append(name)  # the records' files (site.yaml is read by every build)
        return real(path, *args, **kwargs)

    real_files, real_find = writer._files, writer.Stage._find

    def files(folder: Any) -> Any:
        if os.getpid() == me:
            listed.append(str(folder))
        return real_files(folder)

    def find(folder: Any) -> Any:
        listed.append(str(folder))  # (by `find`, from a thread of this process)
        return real_find(folder)

    monkeypatch.setattr(os, "stat", counted)
    monkeypatch.setattr(writer, "_files", files)
    monkeypatch.setattr(writer.Stage, "_find", staticmethod(find))
    EDITS["story body"](rebuilt)
    result = run(BuildOptions(site_dir=rebuilt, jobs=2))
    assert result.ok
    kept = [o for o in result.outputs if o.origin is not None and o.path.endswith(".html")]
    assert len(kept) > 100
    # The story page (written anew) and the index files it changed, not the others; of
    # content/, only the story read again; no listing of the stage.
    assert len(stats) < 20, sorted(stats)
    assert len(read) < 4 and all(STORY_NAME in r for r in read), read
    assert listed == []
    stats.clear()
    read.clear()
    EDITS["story title"](rebuilt)
    assert run(BuildOptions(site_dir=rebuilt, jobs=1)).ok
    assert len(stats) > len(kept)  # one job: every kept file is checked here,
    assert len(read) > 100  # every content file,
    assert len(listed) == 1  # and the stage is listed here


def _lying(content_dir: Path, cache_dir: Path, out_dir: Path, stage: Path | None
           ) -> Iterator[tuple[str, Any]]:
    yield "content", [("site.yaml", 5, True, None)]
    yield "pages", "nonsense"
    yield "index", (None, {1, 2})
    yield "stage", ({"x": "y"}, 5)


def _dying(content_dir: Path, cache_dir: Path, out_dir: Path, stage: Path | None
           ) -> Iterator[tuple[str, Any]]:
    raise RuntimeError("the checker fails")
    yield "pages", None  # a generator


def _hanging(content_dir: Path, cache_dir: Path, out_dir: Path, stage: Path | None
             ) -> Iterator[tuple[str, Any]]:
    import time

    time.sleep(60)
    yield "pages", None


@pytest.mark.parametrize("checks", [_lying, _dying, _hanging])
def test_a_checker_that_lies_dies_or_hangs_changes_nothing(
        checks: Any, rebuilt: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lookahead, "_checks", checks)  # inherited by the forked checker
    monkeypatch.setattr(lookahead, "_WAIT", 0.5)
    page = rebuilt / "output" / "stories" / "index.html"
    page.write_bytes(b"tampered")  # which the build must find by itself
    EDITS["story body"](rebuilt)
    result = run(BuildOptions(site_dir=rebuilt, jobs=2))
    assert result.ok
    assert tree(rebuilt / "output") == clean_build(rebuilt, tmp_path)
    # No checker process is left behind.
    assert not [p for p in os.listdir("/proc") if p.isdigit()
                and _parent(int(p)) == os.getpid() and _name(int(p)) == _name(os.getpid())]
    shutil.rmtree(tmp_path / "fresh")


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return int(f.read().rsplit(b")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def _name(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/comm", "rb") as f:
            return f.read()
    except OSError:
        return b""


def test_the_page_a_rebuild_renders_uses_the_templates_compiled_ahead(
        rebuilt: Path, tmp_path: Path, counted: dict[str, list[str]]) -> None:
    EDITS["story body"](rebuilt)
    assert run(BuildOptions(site_dir=rebuilt, jobs=2)).ok
    # A count of compiles, kept on purpose: the only sign that the templates compiled
    # ahead are used (the same bytes come out either way; they are compared next).
    assert counted["compile"] == []  # the checker compiled them, this process did not
    assert tree(rebuilt / "output") == clean_build(rebuilt, tmp_path)
    EDITS["story title"](rebuilt)
    assert run(BuildOptions(site_dir=rebuilt, jobs=1)).ok
    assert "story.html" in counted["compile"]  # one job: compiled where it is used


def test_a_rebuild_that_fails_with_the_checker_at_work_changes_nothing(rebuilt: Path) -> None:
    before = tree(rebuilt / "output")
    story = rebuilt / STORY
    story.write_text(story.read_text(encoding="utf-8").replace("date: ", "date: 二〇", 1),
                     encoding="utf-8")
    result = run(BuildOptions(site_dir=rebuilt, jobs=2))
    assert not result.ok
    assert tree(rebuilt / "output") == before
    assert sorted(p.name for p in rebuilt.iterdir() if p.name.startswith(".output")) == [
        ".output.spare"]
    assert not [p for p in os.listdir("/proc") if p.isdigit()
                and _parent(int(p)) == os.getpid() and _name(int(p)) == _name(os.getpid())]
