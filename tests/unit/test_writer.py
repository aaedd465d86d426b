"""Write stage: staged, swapped atomically, unchanged files carried over."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_builder.render import Output
from site_builder.writer import OutputError, check_output_dir, write_outputs


def test_write_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "output"
    write_outputs([Output("a.html", b"A"), Output("d/b.html", b"B")], out)
    stats = write_outputs([Output("a.html", b"A2")], out)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "a.html"]
    assert (out / "a.html").read_bytes() == b"A2"
    assert (stats.written, stats.unchanged, stats.removed) == (1, 0, 1)


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
