"""The page memo's key table: carried from build to build, compacted, saved and loaded."""

from __future__ import annotations

from pathlib import Path

from site_builder.incremental.digests import Digests, source_signature
from site_builder.incremental.pages import PageEntry, PageMemo
from site_builder.link.model import Item


def _key(n: int) -> tuple[str, str, str, str]:
    return ("f", "story", f"s{n}", "title")


class _Model:
    """Just what Digests asks a model for."""

    def __init__(self, *items: Item) -> None:
        self.items = {(i.record_kind, i.slug): i for i in items}

    def get(self, kind: str, slug: str) -> Item | None:
        return self.items.get((kind, slug))


def _story(n: int, title: str, digest: str) -> Item:
    return Item("story", f"s{n}", f"stories/s{n}.md", {"title": title}, digest=digest)


def test_a_successor_keeps_the_numbers_of_reused_pages(tmp_path: Path) -> None:
    memo = PageMemo("setting")
    memo.entries["a.html"] = PageEntry("fp-a", (memo.number(_key(1), "d1"),
                                                memo.number(_key(2), "d2")))
    nxt = memo.successor("setting", ["d1", "d2"])
    nxt.entries["a.html"] = memo.entries["a.html"]  # reused as it was
    # A re-rendered page reads one old key (its digest now new) and one new key.
    nxt.entries["b.html"] = PageEntry("fp-b", (nxt.number(_key(2), "d2-new"),
                                               nxt.number(_key(3), "d3")))
    assert nxt.entries["b.html"].deps == (1, 2)
    assert nxt.keys == [_key(1), _key(2), _key(3)]
    assert nxt.digests == ["d1", "d2-new", "d3"]
    assert memo.digests == ["d1", "d2"]  # the previous build's table is not touched
    # Another setting (a template changed) starts with an empty table.
    assert memo.successor("other", []).keys == []


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


def test_digests_of_unchanged_records_are_carried_and_never_stale() -> None:
    key = ("f", "story", "s1", "title")
    first = _Model(_story(1, "甲", "file-v1"))
    memo = PageMemo("s", world="w")
    digests = Digests(first, None)
    memo.number(key, digests.of(key))
    memo.sources = {("story", "s1"): "file-v1"}

    # The story's file changes; the page that read its title no longer reads it.
    second = _Model(_story(1, "乙", "file-v2"))
    now = Digests(second, None, memo, {("story", "s1"): "file-v2"})
    assert now.changed(memo) == {0}
    nxt = memo.successor("s", now.table_now(memo), "w", {("story", "s1"): "file-v2"})
    assert nxt.digests == [Digests(second, None).of(key)]  # refreshed though nobody read it

    # Unchanged since: the digest is carried, not made again (the model is not asked).
    carried = Digests(_Model(), None, nxt, {("story", "s1"): "file-v2"})
    assert carried.of(key) == nxt.digests[0]
    assert carried.table_now(nxt) == nxt.digests and carried.changed(nxt) == set()
    # Put back as it first was: a change again, though its first digest is the same.
    back = Digests(first, None, nxt, {("story", "s1"): "file-v1"})
    assert back.changed(nxt) == {0}


def test_a_source_signature_covers_a_body_from_another_file() -> None:
    own = _story(1, "甲", "file")
    assert source_signature(own) == "file"
    alliance = Item("alliance", "a", "alliances/a/alliance.yaml", {}, "正文一",
                    body_file="alliances/a/index.md", digest="file")
    edited = Item("alliance", "a", "alliances/a/alliance.yaml", {}, "正文二",
                  body_file="alliances/a/index.md", digest="file")
    assert source_signature(alliance) != source_signature(edited)
