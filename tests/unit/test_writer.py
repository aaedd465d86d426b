"""Write stage: staged, swapped atomically, unchanged files carried over."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from site_builder.core.outputs import Output
from site_builder.write.copier import COPY_LIST
from site_builder.write.files import _files
from site_builder.write.writer import OutputError, Stage, check_output_dir, write_outputs
from tests.conftest import tree


def test_write_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B")], out)
    stats = write_outputs([Output("a.html", b"A2")], out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.html"]
    assert (out / "a.html").read_bytes() == b"A2"
    assert (stats.written, stats.unchanged, stats.removed) == (1, 0, 1)


def test_a_first_build_writes_every_file_whatever_the_order(tmp_path: Path) -> None:
    out = tmp_path / "output"
    big = bytes(range(256)) * 5000
    items = [Output("a/b/c/index.html", b"deep"), Output("a/b/index.html", b"mid\r\n"),
             Output("index.html", b"top"), Output("a/index.html", b"A"),
             Output("x/y.bin", big), Output("a/b/index.html", b"again"),
             Output("empty.txt", b"")]
    stats = write_outputs(items, out)
    assert {p.relative_to(out).as_posix(): p.read_bytes()
            for p in out.rglob("*") if p.is_file()} == {
        "a/b/c/index.html": b"deep", "a/b/index.html": b"again", "index.html": b"top",
        "a/index.html": b"A", "x/y.bin": big, "empty.txt": b""}
    assert stats.unchanged == 0 and stats.bytes == sum(len(o.data) for o in items)
    # the next build links what it can from this one
    again = write_outputs([o for o in items if o.path != "x/y.bin"], out)
    assert again.written == 1 and again.unchanged == 5  # a/b/index.html twice


@pytest.mark.parametrize("order", [
    ["a/b", "a/b/c/index.html"],  # a file where a folder must go later
    ["a/index.html", "a/b/c/index.html", "a/b"],  # a folder (made on the way) where a file goes
    ["x/index.html", "x", "x/y/index.html"],
])
def test_a_first_build_ends_as_a_build_into_an_existing_output(tmp_path: Path,
                                                               order: list[str]) -> None:
    items = [Output(path, f"<{path}>".encode()) for path in order]
    fresh = tmp_path / "fresh"
    write_outputs(items, fresh)  # nothing before: the first-build path
    existing = tmp_path / "existing"
    write_outputs([Output("old.html", b"old")], existing)
    write_outputs(items, existing)  # the same items, staged the usual way
    assert tree(fresh) == tree(existing) and tree(fresh)


def test_unchanged_files_are_hard_linked_not_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_outputs([Output("same.html", b"S"), Output("new.html", b"1")], out)
    inode = (out / "same.html").stat().st_ino
    stats = write_outputs([Output("same.html", b"S"), Output("new.html", b"2")], out)
    assert (out / "same.html").stat().st_ino == inode
    assert (stats.written, stats.unchanged) == (1, 1)


def test_nothing_is_left_beside_the_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_outputs([Output("a.html", b"A")], out)
    write_outputs([Output("a.html", b"B")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_leftovers_of_a_killed_build_are_cleaned(tmp_path: Path) -> None:
    dead = tmp_path / ".output.staging-999999999"
    dead.mkdir()
    (dead / "half.html").write_bytes(b"half")
    write_outputs([Output("a.html", b"A")], tmp_path / "output")
    assert not dead.exists()


def test_a_failure_while_staging_keeps_the_previous_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_outputs([Output("a.html", b"A")], out)

    def broken():
        yield Output("a.html", b"NEW")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_outputs(broken(), out)
    assert (out / "a.html").read_bytes() == b"A"
    assert sorted(os.listdir(tmp_path)) == ["output"]


def test_output_folder_may_not_hold_the_content(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    for bad in (tmp_path, tmp_path / "content", tmp_path / "content" / "x"):
        with pytest.raises(OutputError):
            check_output_dir(bad, tmp_path)
    check_output_dir(tmp_path / "output", tmp_path)


def _stage(out: Path, items: list[Output]) -> None:
    _finish(Stage(out, recycle=True), items)


def _finish(stage: Stage, items: list[Output]) -> None:
    """Stage `items` and commit (or, on a failure, abort)."""
    try:
        for item in items:
            stage.add(item)
        stage.commit(defer_cleanup=True)
    finally:
        stage.abort()


def test_a_recycled_stage_ends_exactly_as_the_new_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    versions = [
        [Output("a.html", b"A"), Output("d/b.html", b"B"), Output("old/x.html", b"X"),
         Output("f", b"a file"), Output("deep/er/y.html", b"Y")],
        [Output("a.html", b"A"), Output("d/b.html", b"B2"), Output("f", b"a file"),
         Output("deep/er/y.html", b"Y"), Output("n.html", b"N")],
        # a file where a folder was, and a folder where a file was
        [Output("a.html", b"A"), Output("old", b"now a file"), Output("f/g.html", b"G"),
         Output("d/b.html", b"B2")],
        [Output("a.html", b"A3"), Output("d/b.html", b"B")],
    ]
    for items in versions:
        _stage(out, items)
        assert tree(out) == {o.path: o.data for o in items}
        assert not [d for d in out.rglob("*") if d.is_dir() and not any(d.iterdir())]
        # the replaced output (after a first build: its twin) is kept as the next stage's
        # start, nothing else beside it
        assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]


def test_staging_never_writes_into_the_live_output(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _stage(out, [Output("a.html", b"A"), Output("b.html", b"B")])
    _stage(out, [Output("a.html", b"A"), Output("b.html", b"B")])  # the spare shares inodes
    stage = Stage(out, recycle=True)
    try:
        stage.add(Output("a.html", b"CHANGED"))
        stage.add(Output("b.html", b"B"))
        assert tree(out) == {"a.html": b"A", "b.html": b"B"}  # until the swap
        stats = stage.commit(defer_cleanup=True)
    finally:
        stage.abort()
    assert tree(out) == {"a.html": b"CHANGED", "b.html": b"B"}
    assert (stats.written, stats.unchanged) == (1, 1)


def test_a_first_build_leaves_its_twin_as_the_spare(tmp_path: Path) -> None:
    """Every file a first build writes is linked into a twin that becomes the spare: the
    first rebuild needs no copy of output/."""
    out = tmp_path / "output"
    stage = Stage(out, recycle=True)
    try:
        assert stage.twin
        stage.add(Output("w/index.html", b"worker"))
        stage.add(Output("index.html", b"home"))
        stage.add(Output("a/b/c.html", b"deep"))
        stage.commit(defer_cleanup=True)
    finally:
        stage.abort()
    spare = tmp_path / ".output.spare"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]
    assert tree(spare) == tree(out) == {"w/index.html": b"worker", "index.html": b"home",
                                          "a/b/c.html": b"deep"}
    assert all((spare / rel).stat().st_ino == (out / rel).stat().st_ino for rel in tree(out))
    stage = Stage(out, recycle=True)  # the rebuild: from the spare, no copier
    try:
        assert stage._prefill is None and not stage.twin
        stage.add(Output("index.html", b"home 2"))
        stage.add(Output("a/b/c.html", b"deep"))
        stats = stage.commit(defer_cleanup=True)
    finally:
        stage.abort()
    assert tree(out) == {"index.html": b"home 2", "a/b/c.html": b"deep"}
    assert (stats.written, stats.unchanged, stats.removed) == (1, 1, 1)


def test_a_twin_that_is_stale_or_partial_still_gives_the_exact_output(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The twin is only where the next stage starts: a path written twice in the first
    build (the twin keeps the first file), or links that fail (no twin, or half of one),
    and the rebuild still ends with exactly its output."""
    import site_builder.write.writer as writer

    pages = [Output(f"p/{i}/index.html", b"%d" % i) for i in range(6)]
    for case in ("twice", "no links", "half"):
        out = tmp_path / case / "output"
        if case != "twice":
            real, made = os.link, []

            def failing(src: str, dst: str, *, _made: list[int] = made, _real=real,
                        _case: str = case, **kw: object) -> None:
                _made.append(1)
                if _case == "no links" or len(_made) > 3:
                    raise OSError("no hard links here")
                _real(src, dst, **kw)

            monkeypatch.setattr(writer.os, "link", failing)
        stage = Stage(out, recycle=True)
        try:
            for item in pages:
                stage.add(item)
            if case == "twice":
                stage.add(Output("p/0/index.html", b"second"))  # the last one counts
            stage.commit(defer_cleanup=True)
        finally:
            stage.abort()
        monkeypatch.undo()
        expected = {o.path: o.data for o in pages}
        if case == "twice":
            expected["p/0/index.html"] = b"second"
        assert tree(out) == expected
        now = [Output(o.path, o.data if o.path != "p/5/index.html" else b"five")
               for o in pages] + [Output("p/0/index.html", expected["p/0/index.html"])]
        _stage(out, now[1:])
        assert tree(out) == {o.path: o.data for o in now[1:]}


def test_a_first_build_that_fails_throws_its_twin_away(tmp_path: Path) -> None:
    out = tmp_path / "output"
    stage = Stage(out, recycle=True)
    stage.add(Output("a.html", b"A"))
    stage.abort()  # an error later in the build: its stage is the spare, the twin gone
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare"]
    assert not out.exists()
    _stage(out, [Output("a.html", b"A"), Output("b.html", b"B")])
    assert tree(out) == {"a.html": b"A", "b.html": b"B"}


def test_first_rebuild_starts_from_a_linked_copy_of_the_output(tmp_path: Path) -> None:
    """Without a spare (a first build by an older version, or one deleted), the stage
    is copied from output/ while the build works."""
    out = tmp_path / "output"
    kept = [Output("index.html", b"home"), Output("a/b/c/d.html", b"deep"),
            Output("s/x y/index.html", b"space"), Output("链/页面.html", b"han")]
    write_outputs([Output(f"p/{i}/index.html", b"%d" % i) for i in range(50)] + kept, out)
    inodes = {i: (out / f"p/{i}/index.html").stat().st_ino for i in range(50)}
    stage = Stage(out, recycle=True)  # no spare yet: the copy is made meanwhile
    try:
        # No pipe to the copier: render workers forked meanwhile would inherit it and keep
        # the copier (and this build, waiting for it) from ever seeing its input end.
        assert stage._prefill is not None and stage._prefill.stdin is None
        copied = dict(stage._before())  # waits for the copy: every file, the same inode
        copied.pop(COPY_LIST, None)  # the copier's list, deleted from the stage at commit
        assert copied.keys() == tree(out).keys()
        assert all(copied[f"p/{i}/index.html"] == inodes[i] for i in range(50))
        # What the stage was said to hold (output/'s listing) is what it holds.
        really = _files(str(stage.path))[0]
        really.pop(COPY_LIST)
        assert really == copied
        for i in range(1, 51):
            stage.add(Output(f"p/{i}/index.html", b"%d" % i if i < 40 else b"new"))
        for item in kept:
            stage.add(item)
        stats = stage.commit(defer_cleanup=True)
    finally:
        stage.abort()
    assert tree(out) == {**{f"p/{i}/index.html": b"%d" % i if i < 40 else b"new"
                             for i in range(1, 51)}, **{o.path: o.data for o in kept}}
    assert all((out / f"p/{i}/index.html").stat().st_ino == inodes[i] for i in range(1, 40))
    assert (stats.written, stats.unchanged, stats.removed) == (11, 43, 1)


def test_a_copy_that_failed_is_not_trusted(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """When the copier fails half-way, the stage is listed as it is, and the build still
    ends with exactly the new output."""
    import site_builder.write.copier as copier

    out = tmp_path / "output"
    pages = [Output(f"p/{i}/index.html", b"%d" % i) for i in range(20)]
    write_outputs(pages, out)
    # Links the first two entries, then gives up.
    monkeypatch.setattr(copier, "_COPIER", (
        "import os, sys\n"
        "s, t, l = sys.argv[1:4]\n"
        "for rel in open(l, 'rb').read().split(b'\\0')[:2]:\n"
        "    os.mkdir(os.fsencode(t) + b'/' + rel)\n"
        "    name = b'/index.html'\n"
        "    os.link(os.fsencode(s) + b'/' + rel + name, os.fsencode(t) + b'/' + rel + name)\n"
        "sys.exit(1)\n"))
    stage = Stage(out, recycle=True)
    listed = dict(stage._before())
    listed.pop(COPY_LIST, None)
    assert sorted(listed) == ["p/0/index.html", "p/1/index.html"]
    _finish(stage, [*pages[1:], Output("new.html", b"new")])
    assert tree(out) == {**{o.path: o.data for o in pages[1:]}, "new.html": b"new"}


def test_an_aborted_build_stops_the_whole_copier(tmp_path: Path) -> None:
    import time

    out = tmp_path / "output"
    write_outputs([Output(f"p/{i}/index.html", b"x") for i in range(3000)], out)
    stage = Stage(out, recycle=True)
    assert stage._prefill is not None
    group = stage._prefill.pid
    assert os.getpgid(group) == group  # a group of its own, with the process it forks
    stage.abort()  # at once: the copier (both of its processes) is still at work
    deadline = time.monotonic() + 1
    while True:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            break  # no process of the group is left
        assert time.monotonic() < deadline, "a copier process outlived the build"
        time.sleep(0.02)
    assert tree(out) == {f"p/{i}/index.html": b"x" for i in range(3000)}


def test_a_copier_that_cannot_start_is_no_error(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:

    out = tmp_path / "output"
    pages = [Output(f"p/{i}/index.html", b"%d" % i) for i in range(5)]
    write_outputs(pages, out)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    stage = Stage(out, recycle=True)
    assert stage._prefill is None
    _finish(stage, [*pages[1:], Output("new.html", b"new")])
    assert tree(out) == {**{o.path: o.data for o in pages[1:]}, "new.html": b"new"}


def test_a_failed_build_leaves_its_stage_as_the_spare(tmp_path: Path) -> None:
    out = tmp_path / "output"
    _stage(out, [Output("a.html", b"A")])
    stage = Stage(out, recycle=True)
    stage.add(Output("a.html", b"half"))
    stage.abort()  # an error later in the build
    assert tree(out) == {"a.html": b"A"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".output.spare", "output"]
    _stage(out, [Output("a.html", b"A"), Output("b.html", b"B")])
    assert tree(out) == {"a.html": b"A", "b.html": b"B"}


def test_a_first_build_that_fails_leaves_nothing_beside_the_site(tmp_path: Path) -> None:
    stage = Stage(tmp_path / "output", recycle=True)
    stage.abort()  # content errors: nothing was staged
    assert list(tmp_path.iterdir()) == []


def test_the_find_listing_reads_as_the_walk(tmp_path: Path) -> None:
    """The stage's old tree is listed by `find` in another process; what it gives back
    must be exactly what the walk in this process sees (names with spaces, links). Where
    the writer uses no `find` (not Linux), the walk it uses instead is still checked."""
    import subprocess
    import sys

    from site_builder.write.files import _FIND, _files, _parse_find

    if sys.platform.startswith("linux"):
        assert _FIND is not None, "GNU find (Debian package findutils) must be installed"
    root = tmp_path / "tree"
    (root / "a b" / "c").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "a b" / "c" / "index.html").write_bytes(b"x")
    (root / "top.html").write_bytes(b"y")
    os.symlink("top.html", root / "link.html")
    os.symlink("a b", root / "folder-link")
    if _FIND is not None:
        listing = subprocess.run([_FIND, str(root), "-mindepth", "1", "-printf",
                                  "%y %i %P\\0"], capture_output=True, check=True).stdout
        assert _parse_find(str(root), listing) == _files(str(root))
    files, folders = _files(str(root))
    assert set(files) == {"a b/c/index.html", "top.html", "link.html", "folder-link"}
    assert f"{root}/empty" in folders
