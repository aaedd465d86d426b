"""Pinyin slugs for Chinese terms and pinyin ordering."""

from __future__ import annotations

from site_builder.core.pinyin import sort_key, term_slug, unique_slugs


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


def test_word_by_word_pinyin_reads_as_pypinyin_does() -> None:
    """Names are read a word at a time (each word once); the result is pypinyin's own, for
    words whose reading depends on their neighbours too (重庆, 银行, 行长, 长沙, 厦门)."""
    from pypinyin import lazy_pinyin

    from site_builder.core.pinyin import pinyin as _pinyin

    names = ["重庆银行股份有限公司", "行长带队走访长沙", "厦门重工", "G60科创走廊（松江）",
             "互联网+", "中国银行重庆市分行", "长安汽车", "乐山大佛", "单县", "2024年“链长制”",
             "能量", "会计师事务所", "朝阳区", "都江堰", "重新", "音乐学院", "银行行长"]
    for name in names * 2:  # the second time from the words already read
        assert _pinyin(name) == lazy_pinyin(name), name
