"""The Markdown shortcut gives exactly what Python-Markdown and the sanitizer give, or stands
aside (None): checked on generated documents, on the demo site and on the benchmark's
generated stories, which must nearly all take it (else the build quietly slows down)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.render.markdown import MarkdownRenderer
from site_builder.render.markdown_subset import subset_html

ROOT = Path(__file__).resolve().parents[2]

_ENGINE = MarkdownRenderer(frozenset())


def python_markdown(text: str) -> str:
    return _ENGINE.python_markdown(text)


# Lines a story may have, and near misses that make Markdown do something else: a list that
# starts at 3, a heading with closing hashes or no space, bold next to spaces, lone stars,
# trailing spaces (a line break), indentation (a code block or a continuation), a setext
# underline, a table whose rule has fewer cells or odd alignment, raw HTML and entities.
_LINES = [
    "联盟推行**“三张清单”**制度。", "链上企业平均用工缺口缩小了41%。",
    "**链长制**：由区领导担任链长。", "“链主带着我们一起做。”他说。", "a ** b", "**x**y**z**",
    "** 空格**", "**空格 **", "****", "*一颗星*", "***三颗星***", "2024年，联盟成立。",
    "共建(2023)：3.5亿元+", "A-b_c", "a & b", "<b>粗</b>", "&amp;", "`代码`", "[链接](/x/)",
    "行尾两个空格  ", " 行首空格", "    缩进四格", "\t制表", "===", "---", "- 一项",
    "- **粗体**开头的一项", "- 第二项；", "-无空格", "- ", "-  两个空格", "* 星号列表",
    "+ 加号列表", "1. 第一步", "2. 第二步", "3. 第三步", "10. 第十步", "1) 括号", "1.无空格",
    "# 一级标题", "## 二级标题", "## 二级标题", "### 三 级 A-b", "## 标题 ##", "##无空格",
    "####### 七级", "## **粗**标题", "## ", "> 引用", "| 指标 | 2023年 | 2024年 |",
    "|---|---|---|", "|:---|:---:|---:|", "|---|---|", "| 链上企业（家） | 111 | 162 |",
    "| 党员 | **1799** |", "| a | b | c | d |", "||x||", "| - | + | 1. |", "|---|", "| 单列 |",
    "| 尾部空格 | x | ", "党员 | 人数", "…", "", "", "",
]


def _document(lines: list[str]) -> str:
    return "\n".join(lines)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_LINES), max_size=12).map(_document))
def test_the_shortcut_is_python_markdown_or_nothing(text: str) -> None:
    fast = subset_html(text)
    if fast is not None:
        assert fast == python_markdown(text)


# Smaller pieces, so that stars, pipes, hashes, digits and spaces meet in every order.
_PIECES = ["**", "*", " ", "  ", "联盟", "“清单”", "。", "：", "a", "1", "2.", ". ", "- ", "-", "+",
           "#", "## ", "|", "|---", ":", "(", ")", "%", "'", '"', "/", "…", "\n", "\n\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=24).map("".join))
def test_the_shortcut_is_python_markdown_or_nothing_piece_by_piece(text: str) -> None:
    fast = subset_html(text)
    if fast is not None:
        assert fast == python_markdown(text)


@pytest.mark.parametrize("text", [
    "推行**“三张清单”**制度",
    "## 企业的难处\n\n正文。\n\n## 企业的难处\n\n## 企业的难处\n",
    "段落\n## 紧跟标题\n- 列表紧跟\n- 第二项",
    "| 指标 | 2023年 | 2024年 |\n|:---|:---:|---:|\n| 链上 | 111 |\n| a | **b** | c | d |",
    "1. 摸清需求：逐户走访；\n2. 分类交办。\n\n联盟建立机制。\n\n- **人才驿站**：一站式服务。",
])
def test_the_kinds_of_markdown_stories_use_take_the_shortcut(text: str) -> None:
    fast = subset_html(text)
    assert fast is not None
    assert fast == python_markdown(text)


@pytest.mark.parametrize("text", [
    "- 一\n\n- 二",  # two lists one blank line apart: one loose list
    "3. 从三开始",  # <ol start="3">
    "[链接](/alliances/a/)",  # links are checked and rewritten
    "a & b", "<em>x</em>", "a  \nb", "    code", "## 标题 ##", "**a **b",
])
def test_anything_else_is_left_to_python_markdown(text: str) -> None:
    assert subset_html(text) is None


def _bodies(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        texts.append(text.split("---\n", 2)[-1] if text.startswith("---") else text)
    return texts


def test_the_demo_site_renders_the_same_either_way() -> None:
    bodies = _bodies(ROOT / "content")
    taken = [t for t in bodies if subset_html(t) is not None]
    for text in taken:
        assert subset_html(text) == python_markdown(text)
    assert len(taken) >= len(bodies) // 2


def test_generated_stories_take_the_shortcut_and_render_the_same(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_site import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    generate(tmp_path, alliances=4)
    stories = _bodies(tmp_path / "content" / "stories")
    assert len(stories) >= 30
    taken = [t for t in stories if subset_html(t) is not None]
    assert len(taken) >= 0.95 * len(stories)
    for text in taken:
        assert subset_html(text) == python_markdown(text)
