"""Markdown: site links rewritten relative to the page, and checked."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.core.diagnostics import Report
from site_builder.render.markdown import MarkdownRenderer, plain_paragraphs

KNOWN = frozenset({"alliances/a/", "media/p.png", "alliances/a/photo.jpg"})


def test_site_links_become_relative_to_the_page() -> None:
    md = MarkdownRenderer(KNOWN)
    html = md.render("[联盟](/alliances/a/) ![图](/media/p.png)", root="../../")
    assert 'href="../../alliances/a/"' in html
    assert 'src="../../media/p.png"' in html
    assert 'loading="lazy"' in html


def test_a_link_without_its_last_slash_still_resolves() -> None:
    html = MarkdownRenderer(KNOWN).render("[联盟](/alliances/a#intro)", root="./")
    assert 'href="./alliances/a/#intro"' in html


def test_relative_images_resolve_from_the_source_folder() -> None:
    html = MarkdownRenderer(KNOWN).render("![照片](photo.jpg)", folder="alliances/a",
                                          root="../../")
    assert 'src="../../alliances/a/photo.jpg"' in html


def test_broken_links_are_reported_with_their_line() -> None:
    report = Report()
    md = MarkdownRenderer(KNOWN, report)
    md.render("第一段\n\n[坏](/alliances/b/)\n", file="stories/s.md", body_line=7)
    (d,) = report.items
    assert (d.code, d.file, d.line) == ("dangling-link", "stories/s.md", 9)
    assert d.args["suggestion"] == "/alliances/a/"


def test_external_links_are_left_alone() -> None:
    html = MarkdownRenderer(KNOWN, Report()).render("[外](https://www.gov.cn/) [邮](mailto:a@b.cn)")
    assert 'href="https://www.gov.cn/"' in html and 'href="mailto:a@b.cn"' in html


def test_headings_get_stable_ids_and_tables_a_class() -> None:
    html = MarkdownRenderer(KNOWN).render("## 组织共建\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<h2 id="组织共建">' in html
    assert '<table class="table">' in html


def test_a_memoised_render_is_identical() -> None:
    md = MarkdownRenderer(KNOWN, Report(), {})
    assert md.render("**粗体**") == md.render("**粗体**") == "<p><strong>粗体</strong></p>"


# Pieces made only of characters the plain-text shortcut accepts, some of which still make
# Markdown do more than paragraphs (a list from '1. ', a line break from two spaces and a
# newline, a code block from four spaces); characters outside it are refused outright.
_PIECES = ["链主企业", "党建联盟。", "，", "“共享”", "（示意）", "·", "—", "…", "abc", "X",
           "0", "9", "3.5", "1. ", "2. ", "10.", " ", "  ", "    ", ".", ";", "?", "%", "'",
           '"', "/", "\n", "\n\n", "\n\n\n", "\n "]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=10).map("".join))
def test_plain_paragraphs_are_what_python_markdown_makes(text: str) -> None:
    """The shortcut for plain paragraphs gives exactly Python-Markdown's sanitized HTML, or
    stands aside (None) and lets Python-Markdown do it."""
    fast = plain_paragraphs(text)
    if fast is not None:  # the shortcut's HTML is not sanitized: it must not need it
        assert fast == MarkdownRenderer(frozenset()).python_markdown(text)


def test_descriptions_of_plain_paragraphs_take_the_shortcut() -> None:
    text = "晨曦智能装备是联盟的骨干企业，位于科创城。\n\n链上企业平均用工缺口缩小了33%。\n"
    assert plain_paragraphs(text) == ("<p>晨曦智能装备是联盟的骨干企业，位于科创城。</p>\n"
                                      "<p>链上企业平均用工缺口缩小了33%。</p>")
    assert MarkdownRenderer(frozenset()).render(text) == plain_paragraphs(text)
    for markdown in ("**粗体**", "1. 第一", "- 一项", "# 标题", "a  \nb", "[链接](/x/)", "a & b"):
        assert plain_paragraphs(markdown) is None


def test_the_markdown_memo_reads_and_writes_only_the_shards_it_needs(tmp_path) -> None:
    import hashlib

    from site_builder.core.cachefile import SHARDS, shard_of
    from site_builder.render.markdown import MarkdownMemo

    keys: dict[int, str] = {}  # a key (a digest, as the memo's keys are) in every shard
    for n in range(1000):
        key = hashlib.sha256(str(n).encode()).hexdigest()
        keys.setdefault(shard_of(key), key)
    assert len(keys) == SHARDS
    path = tmp_path / "markdown.marshal"
    memo = MarkdownMemo(path)
    for shard, key in keys.items():
        memo[key] = (f"<p>{shard}</p>", (("alliances/a/", "alliances/a/"),))
    memo.save(limit=1000)
    assert len(list(tmp_path.glob("markdown-*.marshal"))) == SHARDS
    later = MarkdownMemo(path)
    assert later.get(keys[3]) == ("<p>3</p>", (("alliances/a/", "alliances/a/"),))
    assert len(later) == 1  # one shard read
    stamps = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("markdown-*.marshal")}
    another = next(k for n in range(1000, 5000)
                   if shard_of(k := hashlib.sha256(str(n).encode()).hexdigest()) == 3)
    later[another] = ("<p>new</p>", ())
    later.save(limit=1000)
    changed = [p.name for p in tmp_path.glob("markdown-*.marshal")
               if p.stat().st_mtime_ns != stamps[p.name]]
    assert changed == ["markdown-03.marshal"]
    again = MarkdownMemo(path)
    again.load_all()
    assert len(again) == 17 and again.get(another) == ("<p>new</p>", ())
