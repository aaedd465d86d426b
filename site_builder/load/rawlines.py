"""Raw lines: the slips staff make typing YAML in Notepad or pasting it from WeChat and Word,
named on the line and column where they are typed, before the parser misreads them.

The parser sees a full-width colon, a missing space after a colon, a non-breaking space or a
line indented one space off as something else, and reports it on the next line in words
about YAML. Here each slip is named with its fix, and repaired where what the editor meant is
certain, so that the rest of the file is still read and checked (every problem at once).
Columns of the repaired text are mapped back to the file's (`Scan.col`).

Found here, before parsing: zero-width characters (removed), non-breaking and full-width
spaces where YAML needs a space (read as spaces), a full-width colon after a key, no space
after a key's colon, Word's curly quotes used as YAML quotes, a tab in the indentation. Found
when the parser fails: a line indented one space more or less than the lines around it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from site_builder.core.diagnostics import CATALOGUE, L, Severity
from site_builder.core.starters import STARTER_COMMENTS

# Characters nobody types on purpose in a content file: pasted from WeChat, web pages, Word.
ZERO_WIDTH = {
    "\u200b": L("零宽空格", "zero-width space"),
    "\ufeff": L("零宽不换行空格（BOM）", "zero-width no-break space (BOM)"),
    "\u2060": L("零宽连接符", "word joiner"),
}
# Spaces that look like a space but are not one to YAML.
ODD_SPACES = {
    "\u00a0": L("不换行空格", "no-break space"),
    "\u3000": L("全角空格", "full-width space"),
}
# Line and paragraph separators pasted from Word or web pages: YAML counts them as line
# breaks, editors see none. Read as spaces everywhere (the lines then count as editors see).
SEPARATORS = {
    "\u2028": L("行分隔符", "line separator"),
    "\u2029": L("段分隔符", "paragraph separator"),
    "\u0085": L("下一行符", "next-line character"),
}
_NAMES = {**ZERO_WIDTH, **ODD_SPACES, **SEPARATORS}
_ZW_RE = re.compile("[\u200b\ufeff\u2060]")

# Any of these in a file sends it through the line-by-line look (most files have none):
# the invisible characters and the tab anywhere; a full-width colon only after a key, curly
# quotes only where a value starts, a colon without a space only after a key. (Chinese
# text is full of "：" and "“": looking at every such line cost 70 % more parse time.)
_SUSPECT = re.compile(
    "[\u00a0\u3000\u200b\ufeff\u2060\u2028\u2029\u0085\t]"
    "|^ *(?:- +)*[a-z_][a-z0-9_]*(?:：|:[^ \t\n])"
    "|(?::|^ *-) +[“‘]", re.M)
_KEY_SLIP = re.compile("^ *(?:- +)*[a-z_][a-z0-9_]*(?:：|:[^ \t\n])", re.M)
_RARE = ("\u00a0", "\u3000", "\u200b", "\ufeff", "\u2060", "\u2028", "\u2029", "\u0085",
         "\t", "“", "‘")

_SP = "[ \u00a0\u3000]"
# One line of block YAML: indentation, list dashes, a key and its colon, the value.
_LINE = re.compile(
    rf"(?P<indent>{_SP}*)(?P<dashes>(?:-{_SP}+)*)"
    rf"(?:(?P<key>[a-z_][a-z0-9_]*)(?P<gap>{_SP}*)(?P<colon>[:：])(?P<sep>[ \t\u00a0\u3000]*))?"
    r"(?P<value>.*)")
# Keys that are really the start of an address written without a space after the colon.
_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "tel", "sms", "data", "javascript"})
# A key line whose value is a block scalar (| or >): the lines below it are text.
_BLOCK = re.compile(
    "(?P<indent> *)(?:- +)*(?:[^#\\s][^#]*?[:：][ \u00a0\u3000]*)?[|>][-+0-9]*[ \t]*(?:#.*)?$")
_CURLY = {"“": "”", "‘": "’"}


@dataclass(frozen=True)
class Slip:
    """One slip: its code in the catalogue, where it was typed (0-based line of the text,
    1-based column as written), the key it belongs to, the message's arguments."""

    code: str
    line: int
    col: int
    key: str
    args: dict[str, Any]

    @property
    def is_error(self) -> bool:
        return CATALOGUE[self.code].severity is Severity.ERROR


@dataclass
class Scan:
    """The text with its certain slips repaired, the slips, and for each changed line the
    column as written of each column of the repaired line."""

    text: str
    slips: list[Slip] = field(default_factory=list)
    maps: dict[int, list[int]] = field(default_factory=dict)

    def col(self, line: int, col: int) -> int:
        """The 1-based column as written of 1-based column `col` of repaired line `line`."""
        found = self.maps.get(line)
        if found is None:
            return col
        return found[min(col - 1, len(found) - 1)] + 1

    @property
    def has_errors(self) -> bool:
        return any(s.is_error for s in self.slips)


def scan_lines(text: str) -> Scan:
    """Find the slips of `text` that can be seen line by line, repairing the certain ones."""
    scan = Scan(text)
    if not (_KEY_SLIP.search(text) or any(c in text for c in _RARE)):
        return scan  # str.__contains__ is several times faster than the full pattern
    found = [m.start() for m in _SUSPECT.finditer(text)]
    if not found:
        return scan
    lines = text.split("\n")
    blocks = block_lines(lines) if ("|" in text or ">" in text) else {}
    for i in sorted({text.count("\n", 0, at) for at in found}):
        line = lines[i]
        if i in blocks:
            fixed, where = _look_in_block(scan, i, line, blocks[i])
        elif line.lstrip(" ").startswith("#"):
            fixed, where = _look_in_comment(scan, i, line)
        else:
            fixed, where = _look_at_line(scan, i, line)
        if fixed != line:
            lines[i] = fixed
            scan.maps[i] = where
    scan.text = "\n".join(lines)
    return scan


def block_lines(lines: list[str]) -> dict[int, int]:
    """The lines inside block scalars (| and >): line → the indentation their text needs."""
    inside: dict[int, int] = {}
    i = 0
    while i < len(lines):
        m = _BLOCK.match(lines[i]) if ("|" in lines[i] or ">" in lines[i]) else None
        i += 1
        if m is None or lines[i - 1].lstrip().startswith("#"):
            continue
        parent = len(m["indent"])
        while i < len(lines):
            body = lines[i]
            text = body.lstrip(" \u00a0\u3000")
            if text and len(body) - len(text) <= parent:
                break
            inside[i] = parent + 1
            i += 1
    return inside


class _Line:
    """One line being repaired: replacements by column, and what each slip says."""

    def __init__(self, scan: Scan, number: int, line: str) -> None:
        self.scan, self.number, self.line = scan, number, line
        self.clean = _ZW_RE.sub("", line)
        # The column as written of each column of the line without zero-width characters.
        self.orig = [i for i, c in enumerate(line) if c not in ZERO_WIDTH]
        self.swaps: dict[int, str] = {}  # column of `clean` → its replacement
        for i, c in enumerate(line):
            if c in ZERO_WIDTH:
                self.invisible(i, removed=True)
        for i, c in enumerate(self.clean):
            if c in SEPARATORS:  # wherever it is, even in a comment or a | text
                self.invisible(i, clean=True)
                self.swaps[i] = " "

    def at(self, col: int) -> int:
        """1-based column as written of 0-based column `col` of the clean line."""
        return (self.orig[col] if col < len(self.orig) else len(self.line)) + 1

    def invisible(self, col: int, removed: bool = False, clean: bool = False) -> None:
        """Report the invisible character at `col` (as written, or of the clean line)."""
        where = self.orig[col] if clean else col
        char = self.line[where]
        name = _NAMES[char]
        start = max(0, where - 12)
        text = self.line[start:where + 16].strip(" ")

        def shown(lang: str) -> str:
            out = "".join(f"⟨{_NAMES[c].get(lang)}⟩" if c in _NAMES else c for c in text)
            return ("…" if start else "") + out + ("…" if where + 16 < len(self.line) else "")

        self.slip("invisible-char", where + 1, "", char=name,
                  shown=L(shown("zh"), shown("en")),
                  treated=L("删掉", "removed") if removed else L("当作普通空格", "read as a space"))

    def slip(self, code: str, col: int, key: str, **args: Any) -> None:
        self.scan.slips.append(Slip(code, self.number, col, key, args))

    def repaired(self) -> tuple[str, list[int]]:
        out, where = [], []
        for i, c in enumerate(self.clean):
            new = self.swaps.get(i, c)
            out.append(new)
            where += [self.orig[i]] * len(new)
        where.append(len(self.line))  # the end of the line
        return "".join(out), where


def _look_in_block(scan: Scan, number: int, line: str, need: int) -> tuple[str, list[int]]:
    """A line of a | or > text: only zero-width characters and odd spaces in its
    indentation (a full-width space inside the text is typography, kept as it is)."""
    ln = _Line(scan, number, line)
    for i, c in enumerate(ln.clean[:need]):
        if c in ODD_SPACES:
            ln.invisible(i, clean=True)
            ln.swaps[i] = " "
        elif c != " ":
            break
    return ln.repaired()


def _look_in_comment(scan: Scan, number: int, line: str) -> tuple[str, list[int]]:
    """A comment line: what is in it is never published; zero-width characters go."""
    if not _ZW_RE.search(line) and not any(c in line for c in SEPARATORS):
        return line, []
    return _Line(scan, number, line).repaired()


def _look_at_line(scan: Scan, number: int, line: str) -> tuple[str, list[int]]:
    ln = _Line(scan, number, line)
    m = _LINE.match(ln.clean)
    assert m is not None  # every part of the pattern may be empty
    if "\t" in m["indent"] + m["dashes"] or (not m["indent"] and ln.clean.startswith("\t")):
        tab = ln.clean.index("\t")
        ln.slip("yaml-syntax", ln.at(tab), "", problem=L(
            "不能用 Tab 键缩进，请改用空格", "a tab is used for indentation; use spaces"))
    # Odd spaces where YAML needs a space: the indentation, after a list's dash, around the
    # colon. Read as spaces.
    for part in ("indent", "dashes", "gap", "sep"):
        for i in range(m.start(part), m.end(part)):
            if ln.clean[i] in ODD_SPACES:
                ln.invisible(i, clean=True)
                ln.swaps[i] = " "
    key = m["key"] or ""
    value = m["value"]
    if key and m["colon"] == "：":
        ln.slip("fullwidth-colon", ln.at(m.start("colon")), key, name=key)
        ln.swaps[m.start("colon")] = ":" if m["sep"] else ": "
    elif (key and not m["sep"] and value and key not in _SCHEMES
          and value[0] not in "/\\:"):
        ln.slip("colon-no-space", ln.at(m.start("colon")), key, name=key,
                value=_short(value))
        ln.swaps[m.start("colon")] = ": "
    _look_at_value(ln, m.start("value"), value, key)
    return ln.repaired()


def _look_at_value(ln: _Line, start: int, value: str, key: str) -> None:
    """The value: a non-breaking space in it is read as a space (WeChat pastes them between
    words); a full-width space at its end is dropped as YAML drops spaces; curly quotes
    around it that were meant as YAML quotes."""
    end = len(value.rstrip(" \t\u00a0\u3000"))
    for i, c in enumerate(value):
        if c == "\u00a0" or (c == "\u3000" and i >= end):
            ln.invisible(start + i, clean=True)
            ln.swaps[start + i] = " "
    opening = value[:1]
    if opening not in _CURLY:
        return
    closing = value[:end].rfind(_CURLY[opening])
    inner = value[1:closing]
    if closing != end - 1 or not (": " in inner or " #" in inner):
        return  # Chinese quotes that are part of the text: published as written
    trouble = ": " if ": " in inner else " #"
    ln.slip("curly-quotes", ln.at(start), key, open=opening, close=_CURLY[opening],
            trouble=trouble, name=key or "-")
    if '"' not in inner and "\\" not in inner:
        ln.swaps[start] = '"'
        ln.swaps[start + closing] = '"'


def comment_after(line: str, end: int) -> tuple[int, str] | None:
    """(1-based column of the "#", the comment's words) when a comment follows column `end`
    of `line`, unless the starter files wrote that comment (core/starters.py)."""
    rest = line[end:]
    if rest[:1] not in (" ", "\t"):
        return None
    words = rest.lstrip(" \t")
    if not words.startswith("#") or words[1:].strip() in STARTER_COMMENTS:
        return None
    return end + len(rest) - len(words) + 1, words[1:]


def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= 20 else text[:20] + "…"


# ---- after the parser failed: indentation ----------------------------------------------

_ITEM = re.compile(r"(?P<indent> *)(?P<dashes>(?:- +)*)(?:(?P<key>[^\s#'\"\[\]{}:,][^#:]*?):(?:[ \t]+(?P<value>.*?))?[ \t]*$|(?P<text>[^#].*))")


@dataclass
class _Level:
    indent: int
    line: int
    name: str
    opens: bool  # a key with nothing after it: the lines below are its contents


def find_indent_slips(scan: Scan) -> bool:
    """Lines indented one space more or less than the lines around them: report and repair
    them in `scan`; whether any was found."""
    lines = scan.text.split("\n")
    blocks = block_lines(lines)
    stack: list[_Level] = []
    found = False
    for i, line in enumerate(lines):
        if i in blocks or not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _ITEM.match(line)
        if m is None or (m["key"] is None and not m["dashes"]):
            continue  # a continuation of a text or of brackets
        n = len(m["indent"])
        popped = None
        while stack and stack[-1].indent > n:
            popped = stack.pop()
        want = None
        if popped is not None and popped.indent == n + 1 and (not stack or stack[-1].indent < n):
            want, other = popped.indent, popped
        elif stack and stack[-1].indent == n - 1 and not stack[-1].opens:
            want, other = stack[-1].indent, stack[-1]
        if want is not None:
            found = True
            name = (m["key"] or "-").strip()
            scan.slips.append(Slip("indent-off-by-one", i, scan.col(i, n + 1), "", {
                "name": name, "other": other.name, "other_line": other.line + 1,
                "got": n, "want": want,
                "how": L("多缩进了 1 格", "one space more") if n > want
                else L("少缩进了 1 格", "one space less")}))
            _reindent(scan, lines, i, n, want)
            n = want
        _push(stack, m, n, i)
    if found:
        scan.text = "\n".join(lines)
    return found


def _push(stack: list[_Level], m: re.Match[str], n: int, i: int) -> None:
    while stack and stack[-1].indent >= n:
        stack.pop()
    col = n
    for dash in re.findall(r"- +", m["dashes"]):
        stack.append(_Level(col, i, "-", False))
        col += len(dash)
    if m["key"] is not None:
        stack.append(_Level(col, i, m["key"].strip(), not (m["value"] or "").strip()))


def _reindent(scan: Scan, lines: list[str], i: int, have: int, want: int) -> None:
    old = scan.maps.get(i) or list(range(len(lines[i]) + 1))
    if want > have:
        scan.maps[i] = [old[0]] * (want - have) + old
    else:
        scan.maps[i] = old[have - want:]
    lines[i] = " " * want + lines[i][have:]
