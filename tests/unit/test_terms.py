"""Pinyin slugs for Chinese terms and pinyin ordering."""

from __future__ import annotations

from site_builder.terms import sort_key, term_slug, unique_slugs


def test_chinese_terms_get_readable_ascii_slugs() -> None:
    assert term_slug("人工智能") == "rengongzhineng"
    assert term_slug("G60科创走廊") == "g60-kechuangzoulang"
    assert term_slug("互联网+") == "hulianwang"
    assert term_slug("+").startswith("t-")


def test_clashing_slugs_are_numbered_stably() -> None:
    slugs = unique_slugs(["工业", "功业"])  # both gongye
    assert sorted(slugs.values()) == ["gongye", "gongye-2"]
    assert unique_slugs(["功业", "工业"]) == slugs


def test_names_sort_by_pinyin() -> None:
    names = ["张家港", "赣江新区", "松江"]
    assert sorted(names, key=sort_key) == ["赣江新区", "松江", "张家港"]
