"""Readable ASCII slugs and sort keys for Chinese terms (pinyin)."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from site_builder.core import cachefile

_HAN_RUN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)")

# name -> sort key, and term -> slug. The load workers compute the keys of the names they
# read (in parallel), and a build from the command line keeps both tables in .cache/.
_SORT_KEYS: dict[str, str] = {}
_SLUGS: dict[str, str] = {}
SORT_KEY_MEMO_FILE = "pinyin.marshal"
# The keys' format, and the dictionary's version.
SORT_KEY_VERSION = (2, cachefile.package_version("pypinyin"))


_WORDS: dict[str, list[str]] = {}  # a word of pypinyin's segmentation -> its syllables
_converter: list[Any] = []
def pinyin(text: str) -> list[str]:
    """What `pypinyin.lazy_pinyin(text)` gives, a word at a time: pypinyin splits a text into
    words and reads each apart, and names share most words (有限公司, 科技, 北京), so each
    word is read once (10 µs a name instead of 60 µs; tests/unit/test_terms.py compares)."""
    if not _converter:
        # pypinyin loads its phrase dictionary on import (0.15 s): only when a key is missing.
        from pypinyin.core import Pinyin

        _converter.append(Pinyin())
    converter = _converter[0]
    out: list[str] = []
    for word in converter.seg(text):
        syllables = _WORDS.get(word)
        if syllables is None:
            syllables = _WORDS[word] = converter.lazy_pinyin(word)
        out += syllables
    return out


def term_slug(name: str) -> str:
    """人工智能 → rengongzhineng; G60科创走廊 → g60-kechuangzoulang."""
    slug = _SLUGS.get(name)
    if slug is None:
        slug = _SLUGS[name] = _term_slug(name)
    return slug


def _term_slug(name: str) -> str:
    words: list[str] = []
    for i, run in enumerate(_HAN_RUN.split(name)):
        if i % 2:  # a run of Han characters: one word of joined syllables
            words.append("".join(pinyin(run)))
        else:
            words.extend(re.findall(r"[a-z0-9]+", run.lower()))
    slug = "-".join(w for w in words if w)[:64].strip("-")
    # A term of symbols only still needs a stable, unique address.
    return slug or "t-" + hashlib.sha1(name.encode()).hexdigest()[:8]


def sort_key(name: str) -> str:
    """Order Chinese names the way readers expect: by pinyin."""
    key = _SORT_KEYS.get(name)
    if key is None:
        key = _SORT_KEYS[name] = " ".join(pinyin(name)).lower()
    return key


def remember_sort_keys(keys: dict[str, str]) -> None:
    _SORT_KEYS.update(keys)


def known_sort_keys() -> dict[str, str]:
    return _SORT_KEYS


def pinyin_memo() -> tuple[dict[str, str], dict[str, str]]:
    """Both tables, to keep in .cache/."""
    return _SORT_KEYS, _SLUGS


def remember_pinyin(memo: object) -> None:
    """Take back what pinyin_memo() gave (anything else, from a damaged file, is ignored)."""
    if (isinstance(memo, tuple) and len(memo) == 2
            and all(isinstance(table, dict) for table in memo)):
        _SORT_KEYS.update(memo[0])
        _SLUGS.update(memo[1])


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Slug every name, numbering clashes in sorted order so the result is stable."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(names):
        base = term_slug(name)
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        out[name] = slug
    return out
