"""The page memo's key table: carried from build to build, compacted, saved and loaded."""

from __future__ import annotations

from pathlib import Path

from site_builder.memo import PageEntry, PageMemo


def _key(n: int) -> tuple[str, str, str, str]:
    return ("f", "story", f"s{n}", "title")


def test_a_successor_keeps_the_numbers_of_reused_pages(tmp_path: Path) -> None:
    memo = PageMemo("setting")
    memo.entries["a.html"] = PageEntry("fp-a", (memo.number(_key(1), "d1"),
                                                memo.number(_key(2), "d2")))
    nxt = memo.successor("setting")
    nxt.entries["a.html"] = memo.entries["a.html"]  # reused as it was
    # A re-rendered page reads one old key (its digest now new) and one new key.
    nxt.entries["b.html"] = PageEntry("fp-b", (nxt.number(_key(2), "d2-new"),
                                               nxt.number(_key(3), "d3")))
    assert nxt.entries["b.html"].deps == (1, 2)
    assert nxt.keys == [_key(1), _key(2), _key(3)]
    assert nxt.digests == ["d1", "d2-new", "d3"]
    assert memo.digests == ["d1", "d2"]  # the previous build's table is not touched
    # Another setting (a template changed) starts with an empty table.
    assert memo.successor("other").keys == []


def test_compaction_drops_unread_keys_and_renumbers(tmp_path: Path) -> None:
    memo = PageMemo("s")
    for n in range(2000):
        memo.number(_key(n), f"d{n}")
    memo.entries["p.html"] = PageEntry("fp", (memo.number(_key(1500), "d1500"),
                                              memo.number(_key(7), "d7")), (1, 2, 3))
    memo.save(tmp_path / "pages.marshal")
    back = PageMemo.load(tmp_path / "pages.marshal")
    entry = back.entries["p.html"]
    assert [back.keys[n] for n in entry.deps] == [_key(1500), _key(7)]
    assert [back.digests[n] for n in entry.deps] == ["d1500", "d7"]
    assert len(back.keys) == 2 and back.compacted == 2
    assert entry.stat == (1, 2, 3) and back.setting == "s"


def test_a_damaged_table_starts_afresh(tmp_path: Path) -> None:
    memo = PageMemo("s")
    memo.entries["p.html"] = PageEntry("fp", (memo.number(_key(1), "d1"),))
    memo.entries["q.html"] = PageEntry("fp", (5,))  # points past the table
    memo.compacted = 10**6  # no compaction: it would fail on the bad number first
    memo.save(tmp_path / "pages.marshal")
    back = PageMemo.load(tmp_path / "pages.marshal")
    assert back.entries == {} and back.keys == []
