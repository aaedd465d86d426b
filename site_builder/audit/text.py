"""What editors wrote, scanned line by line: 错敏词 and personal data."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from site_builder.audit.findings import Finding
from site_builder.core.diagnostics import Report
from site_builder.load.files import decode_text, is_ignored
from site_builder.validate.glossary import load_glossary

TEXT_SUFFIXES = (".yaml", ".yml", ".md", ".markdown", ".txt", ".csv", ".html", ".htm")
# 18-digit resident ID: 6-digit area, birth date 18xx-20xx, 3-digit sequence, check digit.
_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(18|19|20)\d{2}(0[1-9]|1[0-2])"
                 r"(0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d[- ]?\d{4}[- ]?\d{4})(?!\d)")
# Keys whose value is meant for a phone number (and the mappings that hold them).
_PHONE_KEYS = ("phone", "contact", "mobile", "tel", "电话", "联系")
_KEY = re.compile(r"^(\s*)(?:-\s+)?([^\s:#][^:#]*?)\s*:(?:\s|$)")


def valid_id(number: str) -> bool:
    """Whether an 18-character resident ID has the right check digit (GB 11643)."""
    total = sum(int(d) * w for d, w in zip(number[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == number[17].upper()


def mask(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return digits[:3] + "*" * (len(number) - 7) + number[-4:]


def text_files(content_dir: Path) -> Iterator[str]:
    for path in sorted(content_dir.rglob("*")):
        rel = path.relative_to(content_dir).as_posix()
        if (path.is_file() and path.suffix.lower() in TEXT_SUFFIXES
                and not any(is_ignored(part) for part in rel.split("/"))):
            yield rel


def _read(content_dir: Path, rel: str) -> str | None:
    try:
        return decode_text((content_dir / rel).read_bytes(), rel, Report())
    except OSError:
        return None


def check_terms(content_dir: Path) -> Iterator[Finding]:
    """Every entry of the dictionary (built-in and glossary.yaml) found in content files."""
    glossary = load_glossary(content_dir, Report())
    for rel in text_files(content_dir):
        if rel == "glossary.yaml":
            continue
        text = _read(content_dir, rel)
        for hit in glossary.scan(text, rel) if text is not None else ():
            code = "wrong-term" if hit.entry.level == "严重" else "term-note"
            yield Finding(code, rel, hit.line, hit.col, {
                "wrong": hit.entry.wrong, "right": hit.entry.right, "note": hit.entry.note})


def _in_phone_field(lines: list[str], n: int) -> bool:
    """Whether line `n` (0-based) of a YAML text is a phone or contact key's value, or
    lies inside a mapping held by such a key (contact: {phone: …})."""
    indent = None
    for k in range(n, -1, -1):
        found = _KEY.match(lines[k])
        if found is None:
            continue
        depth = len(found.group(1))
        if indent is None or depth < indent:
            if any(word in found.group(2).lower() for word in _PHONE_KEYS):
                return True
            indent = depth
            if depth == 0:
                return False
    return False


def check_personal(content_dir: Path) -> Iterator[Finding]:
    """Resident ID numbers (with a valid check digit) anywhere; mobile numbers outside the
    phone and contact fields."""
    for rel in text_files(content_dir):
        text = _read(content_dir, rel)
        if text is None:
            continue
        lines = text.split("\n")
        yaml_part = len(lines) if rel.endswith((".yaml", ".yml")) else _front_matter_end(lines)
        for n, line in enumerate(lines):
            for found in _ID.finditer(line):
                if valid_id(found.group(1)):
                    yield Finding("id-number", rel, n + 1, found.start(1) + 1,
                                  {"masked": mask(found.group(1))})
            for found in _MOBILE.finditer(line):
                if n < yaml_part and _in_phone_field(lines, n):
                    continue
                yield Finding("mobile-number", rel, n + 1, found.start(1) + 1,
                              {"masked": mask(found.group(1))})


def _front_matter_end(lines: list[str]) -> int:
    """Lines of a Markdown file's front matter (0 when it has none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for n, line in enumerate(lines[1:], 1):
        if line.strip() in ("---", "..."):
            return n
    return 0
