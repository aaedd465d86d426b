"""Bounds on the Markdown that Python-Markdown is given: a text that would take it more
than a second or two, or gigabytes, is refused with the construct named and its line.

Python-Markdown is quadratic or worse on some texts far below the 5 MB file limit
(measured with 3.11 on this project's machine): 20,000 unclosed `<a ` took 90 s (each
incomplete tag makes its HTML parser scan the rest of the text); a paragraph with 500
links 4 s (each link re-scans the paragraph for brackets, in Python); backtick runs of
lengths 1 to 800 took 24 s; 2,000 footnotes 2.4 s; lists nested 2,000 deep 1.7 GB. Even
plain prose costs about 4 µs a character, 19 s for 5 MB.

So each text is measured before it is converted, by counting (linear, deterministic: the
same text passes or fails on every machine): its length, nesting of lists and quotes,
backtick runs, footnotes, brackets and tags, and unclosed tags weighted by the text after
them. Paragraphs are measured once Python-Markdown has split the text into them (a
tree processor that runs before the inline patterns): brackets, tags and backticks times
the paragraph's length. The limits keep every such text under about a second here; none
is near what an editor writes (tests/unit/test_mdlimits.py has both).

Texts that take the fast path (markdown_subset) never come here: they have none of these
constructs and their renderer is linear.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass

import markdown as md
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from site_builder.core.diagnostics import L, Report

MAX_CHARS = 200_000  # characters in one text (prose: about 0.8 s at this length)
MAX_NESTING = 8  # lists and quotes (>) inside each other
MAX_BACKTICKS = 16  # backticks in a row (code fences use 3, a code span 1 or 2)
MAX_FOOTNOTES = 200  # [^…] references and notes
MAX_BRACKETS = 1_000  # '[': links, images, footnotes (about 0.5 ms each)
# Broken site links given a suggestion in one text: each search compares the link with
# every address of the site (0.25 s at N=300, 18,000 addresses).
MAX_SUGGESTIONS = 3
MAX_TAGS = 10_000  # '<' starting a tag
MAX_EMPHASIS = 5_000  # '*' and '_' (a bold span takes four; each costs the inline patterns)
UNCLOSED_BUDGET = 2_000_000  # Σ over unclosed tags of the characters after each
PARAGRAPH_BUDGET = 1_500_000  # Σ over paragraphs of (brackets + '<' + backticks) × length

_TAG = re.compile(r"<[A-Za-z!?/][^<>]*>?")
_LONG_RUN = re.compile(f"`{{{MAX_BACKTICKS + 1},}}")
_RULE = re.compile(r"[ \t]*([-*_])(?:[ \t]*\1)+[ \t]*")  # a horizontal rule: - - - or * * *
_CONTAINER = re.compile(r"[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?")


@dataclass(frozen=True)
class TextProblem:
    what: L
    fix: L
    offset: int  # index in the text where it is; -1: where `snippet` is
    snippet: str = ""


class TooComplexText(Exception):
    def __init__(self, problem: TextProblem) -> None:
        super().__init__(problem.what.en)
        self.problem = problem


_SPLIT = L("把这一段分成几段（段落之间空一行），或者少用链接和 HTML 标签。",
           "Split the paragraph (a blank line between paragraphs), or use fewer links and "
           "tags.")
_SHORTEN = L("把内容拆成几篇，或者删掉多余的部分。", "Split it into several texts, or cut what is "
             "not needed.")


def text_problem(text: str) -> TextProblem | None:
    """The first bound `text` exceeds, found by counting; None when within all. The
    constructs come first: naming one helps more than the length of the text."""
    return (_nesting(text) or _backticks(text) or _counted(text, "[^", MAX_FOOTNOTES,
            L("脚注", "footnotes")) or _counted(text, "[", MAX_BRACKETS,
            L("链接、图片或脚注的方括号“[”", "brackets '[' of links, images or footnotes"))
            or _emphasis(text) or _tags(text) or _length(text))


def _emphasis(text: str) -> TextProblem | None:
    if text.count("*") + text.count("_") <= MAX_EMPHASIS:
        return None
    return TextProblem(L(f"强调符号（* 和 _）超过 {MAX_EMPHASIS:,} 个",
                         f"more than {MAX_EMPHASIS:,} emphasis marks (* and _)"),
                       _SHORTEN, 0)


def _length(text: str) -> TextProblem | None:
    if len(text) <= MAX_CHARS:
        return None
    return TextProblem(L(f"这段正文有 {len(text):,} 个字符，超过了上限 {MAX_CHARS:,}",
                         f"the text has {len(text):,} characters, more than {MAX_CHARS:,}"),
                       _SHORTEN, MAX_CHARS)


def _nesting(text: str) -> TextProblem | None:
    """Lists nest by indentation (four columns a level) and quotes by '>'; each marker at
    the start of a line is one level, so is each four columns of indentation before it."""
    offset = 0
    for line in text.split("\n"):
        if line[:1] in " \t>-*+0123456789" and not _RULE.fullmatch(line):
            depth, end = 0, 0
            while (m := _CONTAINER.match(line, end)) and m.end() > end:
                indent = line[end:m.end()].expandtabs(4)
                depth += 1 + (len(indent) - len(indent.lstrip(" "))) // 4
                end = m.end()
            if depth > MAX_NESTING:
                return TextProblem(
                    L(f"列表或引用（>）嵌套超过 {MAX_NESTING} 层",
                      f"lists or quotes (>) nested more than {MAX_NESTING} deep"),
                    L("减少缩进的层数：列表最多套几层就够了；缩进 4 个空格就是多一层。",
                      "Use fewer levels: four spaces of indentation make one more."), offset)
        offset += len(line) + 1
    return None


def _backticks(text: str) -> TextProblem | None:
    m = _LONG_RUN.search(text)
    if m is None:
        return None
    return TextProblem(L(f"反引号（`）连续 {len(m.group()):,} 个，最多 {MAX_BACKTICKS} 个",
                         f"{len(m.group()):,} backticks (`) in a row, at most {MAX_BACKTICKS}"),
                       L("代码用 1～3 个反引号包起来就够了；删掉多余的反引号。",
                         "One to three backticks are enough around code; remove the rest."),
                       m.start())


def _counted(text: str, mark: str, limit: int, words: L) -> TextProblem | None:
    if text.count(mark) <= limit:
        return None
    offset = -1
    for _ in range(limit + 1):
        offset = text.index(mark, offset + 1)
    return TextProblem(L(f"{words.zh}超过 {limit:,} 个", f"more than {limit:,} {words.en}"),
                       _SHORTEN, offset)


def _tags(text: str) -> TextProblem | None:
    if "<" not in text:
        return None
    unclosed, first = 0, -1
    for tags, m in enumerate(_TAG.finditer(text), 1):
        if tags > MAX_TAGS:
            return TextProblem(L(f"HTML 标签超过 {MAX_TAGS:,} 个", f"more than {MAX_TAGS:,} "
                                 "HTML tags"), _SHORTEN, m.start())
        if not m.group().endswith(">"):
            # The HTML parser looks for this tag's end through all the text after it.
            unclosed += len(text) - m.start()
            first = m.start() if first < 0 else first
            if unclosed > UNCLOSED_BUDGET:
                return TextProblem(
                    L("没有写完的 HTML 标签（“<”后面缺少“>”）太多",
                      "too many unfinished HTML tags ('<' without '>')"),
                    L("检查“<”：HTML 标签要写完整（如 <sup>1</sup>）；"
                      "表示“小于”请写成全角的“＜”或 &lt;。",
                      "Finish each tag (<sup>1</sup>); write a less-than sign as &lt;."),
                    first)
    return None


# ---- paragraphs, as Python-Markdown splits them ----------------------------------------


class _ParagraphBudget(Treeprocessor):
    """Before the inline patterns run: refuse a text whose paragraphs' brackets, tags and
    backticks times the paragraph's length add up to more than PARAGRAPH_BUDGET (the
    inline patterns re-scan a paragraph for each of them)."""

    def run(self, root: ET.Element) -> None:
        spent = 0
        for element in root.iter():
            for text in (element.text, element.tail):
                if not text or isinstance(text, AtomicString):
                    continue
                marks = text.count("[") + text.count("<") + text.count("`")
                spent += marks * len(text)
                if spent > PARAGRAPH_BUDGET:
                    raise TooComplexText(TextProblem(
                        L(f"这一段有 {len(text):,} 个字符，其中链接方括号、HTML 标签和反引号"
                          f"有 {marks:,} 个（全文这样的段落太多或太长）",
                          f"this paragraph of {len(text):,} characters holds {marks:,} link "
                          "brackets, tags and backticks (too many such paragraphs, or too "
                          "long)"), _SPLIT, -1, text.lstrip()[:40]))


class ParagraphBudget(Extension):
    """Registers _ParagraphBudget between the footnotes (which add their notes to the
    tree) and the inline patterns."""

    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        md_instance.treeprocessors.register(_ParagraphBudget(md_instance), "budget", 21)


def render_bounded(convert: Callable[[], str], text: str, report: Report | None,
                   file: str, body_line: int) -> str:
    """`convert()` (Python-Markdown on `text`) when `text` is within the bounds; otherwise
    report the construct at its line, and show the text as it is."""
    problem = text_problem(text)
    if problem is None:
        try:
            return convert()
        except TooComplexText as exc:
            problem = exc.problem
    if report is not None:
        offset = problem.offset if problem.offset >= 0 else text.find(problem.snippet)
        line = body_line + text.count("\n", 0, max(offset, 0))
        report.emit("markdown-too-complex", file, line, None, what=problem.what,
                    fix=problem.fix)
    return f"<pre>{html.escape(text)}</pre>"
