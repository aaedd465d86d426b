"""The YAML parser's problems in the words of the people who edit the files: every message of
libyaml and of PyYAML, in Chinese, naming the cause and the fix. No English from the library
reaches an editor: a problem not in these tables gets a general Chinese sentence."""

from __future__ import annotations

import re

_QUOTE = "请给整段文字加上英文引号"
_TAB = "不能用 Tab 键缩进，请改用空格"
_COLON = "这里不能出现“: ”（冒号加空格）。如果它是文字的一部分，请给整段文字加引号"
_SECOND = "文件中出现了第二个“---”分隔的文档；YAML 文件里不要写 ---"
_BANG = "以 ! 开头的文字需要整体加上引号"
_STAR = "以 * 或 & 开头的文字需要整体加上引号（YAML 把它们当作别名和锚点）"
_PERCENT = "以 % 开头的文字需要加引号"
# After a closing quote, and after a value that starts with > or | (a text block's sign):
# the parser says the same for both.
_AFTER_QUOTE = ("引号已经闭合后面却还有文字，或者文字以 > 或 | 开头：整段文字都要放在英文引号里面"
                "（文字里要用引号时，请用中文引号“”）")
_ESCAPE = "英文双引号里的反斜杠“\\”后面跟了不认识的字符；文字里有 \\ 时请改用单引号括起来"
_BLOCK = "| 或 > 后面只能写 -、+ 或一位 1–9 的数字，文字请从下一行开始写并缩进"
_NOT_UTF8 = "这里有无法识别的字符，请把文件另存为 UTF-8 编码"
_CONTROL = "这里有一个看不见的控制字符，多半是从别处复制时带进来的，请删掉它"
_INDENT = "这一行的缩进与同级的键不一致"

# The problem as libyaml (the C loader) or PyYAML words it → what an editor reads.
PROBLEMS_ZH = {
    "mapping values are not allowed here": _COLON,
    "mapping values are not allowed in this context": _COLON,
    "found character that cannot start any token": f"这个字符不能出现在开头，{_QUOTE}",
    "could not find expected ':'": "缺少冒号“:”，或上一行的引号没有闭合",
    "found character '\\t' that cannot start any token": _TAB,
    "found unexpected end of stream": "文件在引号或括号闭合之前就结束了",
    "did not find expected key": "缩进不对齐，或列表项前缺少“- ”",
    "found undefined alias": "用了未定义的别名（*）：以 * 开头的文字请整体加上引号",
    "did not find expected whitespace or line break": _BANG,
    "found undefined tag handle": _BANG,
    "expected <block end>, but found '-'": "列表项“- ”的缩进与上面的键不对齐",
    "expected <block end>, but found '<block sequence start>'": "列表项“- ”的缩进不对齐",
    "expected <block end>, but found '<block mapping start>'": _INDENT,
    "expected <block end>, but found '<scalar>'": _INDENT,
    "found unexpected ':'": "出现了多余的冒号；含冒号的文字请加引号",
    "found character '@' that cannot start any token": "以 @ 开头的文字需要加引号",
    "found character '`' that cannot start any token": "以 ` 开头的文字需要加引号",
    "found character '%' that cannot start any token": _PERCENT,
    "did not find expected ',' or ']'": "方括号 [ ] 里的列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号 { } 没有闭合，或缺少逗号",
    "did not find expected node content": "这里缺少值",
    "found a tab character where an indentation space is expected": _TAB,
    "but found another document": _SECOND,
    "expected a single document in the stream": _SECOND,
    "found a tab character that violates indentation": _TAB,
    # libyaml's other problems
    "did not find expected '-' indicator": "这一行的缩进与上面的列表项“- ”不一致，或少写了“- ”",
    "block sequence entries are not allowed in this context":
        "这里不能出现列表项“- ”：上一行冒号后面已经写了内容，下面就不能再接列表，或者“- ”的缩进不对",
    "mapping keys are not allowed in this context": "以 ? 开头的文字需要加引号",
    "did not find expected alphabetic or numeric character": _STAR,
    "did not find expected comment or line break": _AFTER_QUOTE,
    "found unexpected document indicator": "引号里的文字中间有一行 --- 或 ...，或者引号没有闭合",
    "found unknown escape character": _ESCAPE,
    "did not find expected hexdecimal number": _ESCAPE,
    "found invalid Unicode character escape code": _ESCAPE,
    "found an indentation indicator equal to 0": _BLOCK,
    "did not find expected '!'": _BANG,
    "did not find URI escaped octet": _BANG,
    "did not find expected tag URI": _BANG,
    "found an incorrect leading UTF-8 octet": _NOT_UTF8,
    "found an incorrect trailing UTF-8 octet": _NOT_UTF8,
    "found duplicate %YAML directive": _PERCENT,
    "found duplicate %TAG directive": _PERCENT,
    "found incompatible YAML document": _PERCENT,
    "did not find expected <document start>": "这一行多出了文字：YAML 文件里不要写 ---，文件的每一行都写成“名称: 内容”",
    "found duplicate anchor": "同一个锚点名（&名字）写了两次：以 & 开头的文字请整体加上引号",
    "control characters are not allowed": _CONTROL,
    "special characters are not allowed": _CONTROL,
    # PyYAML's (the pure-Python loader, used when libyaml is missing)
    "mapping keys are not allowed here": "以 ? 开头的文字需要加引号",
    "sequence entries are not allowed here":
        "这里不能出现列表项“- ”：上一行冒号后面已经写了内容，下面就不能再接列表，或者“- ”的缩进不对",
    "invalid indentation or unclosed '[' or '{'": "方括号 [ ] 或花括号 { } 没有闭合，或者缩进不对",
    "found unexpected document separator": "引号里的文字中间有一行 ---，或者引号没有闭合",
    "expected indentation indicator in the range 1-9, but found 0": _BLOCK,
    "found non-specific tag '!'": _BANG,
    "found duplicate YAML directive": _PERCENT,
    "found incompatible YAML document (version 1.* is required)": _PERCENT,
}

# PyYAML's problems that name the character found: (pattern, words).
_PATTERNS = (
    (re.compile(r"expected ',' or '\]', but got"), PROBLEMS_ZH["did not find expected ',' or ']'"]),
    (re.compile(r"expected ',' or '\}', but got"), PROBLEMS_ZH["did not find expected ',' or '}'"]),
    (re.compile(r"expected the node content, but found"), "这里缺少值"),
    (re.compile(r"expected <block end>, but found"), _INDENT),
    (re.compile(r"expected '<document start>', but found"),
     PROBLEMS_ZH["did not find expected <document start>"]),
    (re.compile(r"expected alphabetic or numeric character"), _STAR),
    (re.compile(r"expected chomping or indentation indicators"), _BLOCK),
    (re.compile(r"expected a comment or a line break"), _AFTER_QUOTE),
    (re.compile(r"expected escape sequence of \d+ hexadecimal numbers"), _ESCAPE),
    (re.compile(r"found unknown escape character"), _ESCAPE),
    (re.compile(r"expected (' '|'!'|'>'|URI)"), _BANG),
    (re.compile(r"expected a digit"), _PERCENT),
    (re.compile(r"found undefined alias"), PROBLEMS_ZH["found undefined alias"]),
    (re.compile(r"found undefined tag handle"), _BANG),
    (re.compile(r"found duplicate anchor"), PROBLEMS_ZH["found duplicate anchor"]),
    (re.compile(r"found character '(.)' that cannot start any token"), ""),
    (re.compile(r"unacceptable character"), _CONTROL),
)
_GENERAL = "这一行的写法 YAML 读不懂。请对照指南“YAML 基础”检查这一行和上一行：缩进、冒号后的空格、引号是否成对"


def translate_problem(problem: str) -> str:
    """The parser's `problem`, in Chinese, in words an editor understands."""
    found = PROBLEMS_ZH.get(problem)
    if found is not None:
        return found
    for pattern, words in _PATTERNS:
        m = pattern.search(problem)
        if m is not None:
            if not words:  # a character that cannot start a text
                return f"以 {m[1]} 开头的文字需要加引号" if m[1].strip() else _TAB
            return words
    return _GENERAL
