"""Readable ASCII slugs and sort keys for Chinese terms (pinyin)."""

from __future__ import annotations

import hashlib
import re
from functools import cache

from pypinyin import lazy_pinyin

_HAN_RUN = re.compile(r"([\u3400-\u9fff\uf900-\ufaff]+)")


@cache
def term_slug(name: str) -> str:
    """人工智能 → rengongzhineng; G60科创走廊 → g60-kechuangzoulang."""
    words: list[str] = []
    for i, run in enumerate(_HAN_RUN.split(name)):
        if i % 2:  # a run of Han characters: one word of joined syllables
            words.append("".join(lazy_pinyin(run)))
        else:
            words.extend(re.findall(r"[a-z0-9]+", run.lower()))
    slug = "-".join(w for w in words if w)[:64].strip("-")
    # A term of symbols only still needs a stable, unique address.
    return slug or "t-" + hashlib.sha1(name.encode()).hexdigest()[:8]


@cache
def sort_key(name: str) -> str:
    """Order Chinese names the way readers expect: by pinyin."""
    return " ".join(lazy_pinyin(name)).lower()


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
