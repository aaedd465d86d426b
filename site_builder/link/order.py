"""The orders records are listed in: alliances by weight, stories and listings newest first,
names in pinyin, members by role and segment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from site_builder.link.model import SECTIONS, Item, Membership
from site_builder.validate.vocabularies import ROLE_ORDER, SEGMENT_ORDER


def _in_order(values: list[Any], key: Callable[[Any], Any]) -> tuple[Any, ...]:
    """`values` sorted by `key`; most lists here hold one value (12,000 of the 18,000
    member lists at N=300), which needs no key made."""
    return tuple(values) if len(values) < 2 else tuple(sorted(values, key=key))


def _name_order(item: Item) -> tuple[str, str]:
    return (item.name_key, item.slug)


def _alliance_order(item: Item) -> tuple[int, int, str, str]:
    weight = item.get("weight")
    # Weighted alliances first (lower first), then the rest by name in pinyin order.
    return (0 if weight is not None else 1, weight or 0, item.name_key, item.slug)


def _story_order(item: Item) -> tuple[tuple[int, int, int], str]:
    year, month, day = item["date"].sort_key
    return ((-year, -month, -day), item.slug)


def _listing_order(item: Item) -> tuple[tuple[int, int, int], str]:
    year, month, day = item["posted"].sort_key
    return ((-year, -month, -day), item.slug)


def _page_order(item: Item) -> tuple[int, str]:
    return (item.get("nav_weight", 1_000_000), item.slug)


def _member_order(m: Membership) -> tuple[int, int, str, str]:
    return (SEGMENT_ORDER.index(m.segment), ROLE_ORDER.index(m.role),
            m.enterprise.name_key, m.enterprise.slug)


_SECTION_RANK = {kind: n for n, kind in enumerate(SECTIONS)}


def _mixed_order(item: Item) -> tuple[int, str, str]:
    return (_SECTION_RANK[item.record_kind], item.name_key, item.slug)
