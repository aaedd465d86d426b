"""Markdown that would take Python-Markdown seconds or gigabytes is a located error naming
the construct (issue #20, item 8); what editors write still renders, by the fast path."""

from __future__ import annotations

import time

import pytest

from site_builder.core.diagnostics import Report
from site_builder.load.sources import load_sources
from site_builder.render import mdlimits
from site_builder.render.markdown import MarkdownRenderer
from site_builder.render.markdown_subset import subset_html
from tests.conftest import REPO

BODY_LINE = 7  # where the body starts in its file


def _render(text: str, known: frozenset[str] = frozenset()) -> tuple[str, list[tuple[int | None,
                                                                                   str]], float]:
    report = Report()
    renderer = MarkdownRenderer(known, report)
    renderer.render("[warm](/x/) `up`")  # the converter is made once per renderer
    start = time.perf_counter()
    html = renderer.render(text, file="stories/x.md", body_line=BODY_LINE)
    took = time.perf_counter() - start
    found = [(d.line, d.message()) for d in report.items if d.code == "markdown-too-complex"]
    return html, found, took


# The repro's inputs, each under the 5 MB file limit; Python-Markdown took 10-90 s (and
# 1.7 GB for the lists).
def unclosed_tags() -> str:
    return "<a " * 20_000


def reference_links() -> str:
    uses = " ".join(f"[链接{i}][r{i}]" for i in range(5000))
    return uses + "\n\n" + "\n".join(f"[r{i}]: https://example.com/{i}" for i in range(5000))


def backtick_runs() -> str:
    return "说明\n\n" + " ".join("`" * n for n in range(1, 2001))


def footnotes() -> str:
    uses = "".join(f"注[^{i}]" for i in range(30_000))
    return uses + "\n\n" + "\n".join(f"[^{i}]: 脚注{i}" for i in range(30_000))


def nested_lists() -> str:
    return "\n".join("\t" * depth + "- 项" for depth in range(2000)) + "\n"


REPRO = [
    (unclosed_tags, 0, "没有写完的 HTML 标签（“<”后面缺少“>”）太多"),
    (reference_links, 0, "链接、图片或脚注的方括号“[”超过 1,000 个"),
    (backtick_runs, 2, f"反引号（`）连续 {mdlimits.MAX_BACKTICKS + 1} 个，最多 "
     f"{mdlimits.MAX_BACKTICKS} 个"),
    (footnotes, 0, f"脚注超过 {mdlimits.MAX_FOOTNOTES} 个"),
    (nested_lists, mdlimits.MAX_NESTING, f"列表或引用（>）嵌套超过 {mdlimits.MAX_NESTING} 层"),
]


@pytest.mark.parametrize(("make", "line", "what"), REPRO, ids=[r[0].__name__ for r in REPRO])
def test_each_repro_input_finishes_at_once_with_the_construct_named(make, line: int,
                                                                    what: str) -> None:
    text = make()
    assert len(text.encode()) < 5 * 1024 * 1024
    html, found, took = _render(text)
    assert took < 1, took
    assert found == [(BODY_LINE + line, f"{what}，程序无法在合理的时间内排版。")]
    assert html.startswith("<pre>")  # the words stay (escaped), the build fails


def test_many_links_in_one_paragraph_are_refused_naming_the_paragraph() -> None:
    text = "第一段。\n\n第二段：" + "、".join(f"[第{i}家](/enterprises/e{i}/)" for i in range(600))
    _, found, took = _render(text)
    assert took < 1
    ((line, message),) = found
    assert line == BODY_LINE + 2
    assert message.startswith("这一段有 ") and "链接方括号、HTML 标签和反引号有 600 个" in message


def test_a_very_long_text_is_refused_with_its_length() -> None:
    text = "这是一段介绍联盟做法的文字~\n\n" * 15_000  # '~': not for the fast path
    _, found, took = _render(text)
    assert took < 1
    assert found == [(BODY_LINE + text.count("\n", 0, mdlimits.MAX_CHARS),
                      f"这段正文有 {len(text):,} 个字符，超过了上限 {mdlimits.MAX_CHARS:,}，"
                      "程序无法在合理的时间内排版。")]


def test_what_editors_write_at_its_largest_still_renders() -> None:
    members = "\n".join(f"- [第{i}家成员单位](https://example.com/{i})：简介文字。"
                        for i in range(300))
    notes = "".join(f"第{i}条做法[^{i}]。\n\n" for i in range(100)) + "\n".join(
        f"[^{i}]: 来源：某报道。" for i in range(100))
    nested = "\n".join("    " * depth + f"- 第{depth + 1}级" for depth in range(5))
    table = "| 单位 | 人数 |\n|---|---|\n" + "\n".join(f"| 单位{i}<sup>{i}</sup> | `{i}` |"
                                                    for i in range(200))
    text = "\n\n".join([members, notes, nested, table, "**粗体**、<mark>高亮</mark>"])
    html, found, took = _render(text)
    assert found == []
    assert took < 5, took
    assert html.count("<li>") >= 305 and 'class="footnote"' in html and "<table" in html


def test_ordinary_stories_take_the_fast_path_and_are_never_measured(monkeypatch) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("an ordinary story reached Python-Markdown or the limits")

    sources = load_sources(REPO / "content", Report())
    bodies = [d.body for d in sources.docs if d.kind == "story" and d.body]
    fast = [(b, subset_html(b)) for b in bodies if subset_html(b) is not None]
    assert len(fast) >= 15  # most demo stories (20 of 22), as most real ones, are this simple
    monkeypatch.setattr(MarkdownRenderer, "python_markdown", refuse)
    monkeypatch.setattr(mdlimits, "text_problem", refuse)
    renderer = MarkdownRenderer(frozenset(), Report())
    for body, html in fast:
        assert renderer.render(body) == html


def test_only_a_texts_first_broken_links_are_searched_for_a_suggestion() -> None:
    # Each search compares the link with every address of the site: at N=300 (18,000
    # addresses) 50 broken links took 26 s.
    known = frozenset([f"enterprises/company-{i}/" for i in range(12_000)]
                      + [f"stories/story-{i}/" for i in range(6000)])
    text = "\n\n".join(f"见[案例](/stories/story-{i}x/)" for i in range(50))
    report = Report()
    start = time.perf_counter()
    MarkdownRenderer(known, report).render(text, file="stories/x.md")
    assert time.perf_counter() - start < 5
    codes = [d.code for d in report.items]
    assert len(codes) == 50
    assert codes.count("dangling-link") == mdlimits.MAX_SUGGESTIONS
    suggested = [d for d in report.items if d.code == "dangling-link"]
    assert suggested[0].args["suggestion"] == "/stories/story-0/"


def test_a_rule_of_many_spaced_stars_is_not_taken_for_nested_lists() -> None:
    rules = "* * * * * * * * * * * *\n\n- - - - - - - - - - - -"
    html, found, _ = _render(f"上文\n\n{rules}\n\n下文 `x`")
    assert found == [] and html.count("<hr") == 2
