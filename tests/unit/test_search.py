"""Search index: name tokens, character splitting, what Pagefind records, determinism.

Pagefind's own matching is exercised in tests/browser/test_search.py; here the index is
read back from its fragments (gzip, then 'pagefind_dcd' and JSON).
"""

from __future__ import annotations

import gzip
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.render import Output
from site_builder.search import (
    KIND_MARK,
    KINDS,
    TOKEN_MARK,
    ZWSP,
    SearchError,
    SearchPage,
    index_pages,
    name_tokens,
    normalize,
    prepare_html,
    query_tokens,
    search_outputs,
    split_han,
)
from tests.conftest import build

PAGE = """<!doctype html><html lang="zh-CN"><head><title>{title}</title>
<meta name="description" content="{summary}"></head>
<body><header><a class="brand" href="../../">站名</a></header>
<main id="main"><h1>{title}</h1><p class="lead">{summary}</p>
<div class="map-block"><p>地图图例：先锋阵地</p></div>
<dl><dt>地址</dt><dd>{address}</dd></dl></main>
<footer>页脚：张家港</footer><script>var x = "脚本";</script></body></html>"""


def page(url: str, kind: str, title: str, short: str = "", summary: str = "简介。",
         address: str = "江苏省苏州市张家港市") -> SearchPage:
    html = PAGE.format(title=title, summary=summary, address=address)
    return SearchPage(url, html, kind, (title, short or title))


def fragments(outputs: list[Output]) -> dict[str, dict]:
    """Every indexed page by URL, as Pagefind stored it."""
    found = {}
    for out in outputs:
        if "/fragment/" in out.path:
            raw = gzip.decompress(out.data)
            assert raw.startswith(b"pagefind_dcd")
            data = json.loads(raw[len(b"pagefind_dcd"):])
            found[data["url"]] = data
    return found


def words(content: str) -> list[str]:
    return [w for w in re.split(rf"[\s{ZWSP}]+|\.(?=\s)", content) if w]


def has_phrase(haystack: list[str], needle: list[str]) -> bool:
    return any(haystack[i:i + len(needle)] == needle for i in range(len(haystack)))


def phrase(query: str) -> list[str]:
    return query.strip('"').split()


# ---- name tokens -------------------------------------------------------------------------

def test_normalize_folds_width_case_and_punctuation() -> None:
    assert normalize("“Ｇ60”科创 走廊") == "g60科创走廊"
    assert normalize("Momenta 魔门塔") == "momenta魔门塔"
    assert normalize("！？、") == ""


def test_a_name_holds_its_pairs_then_its_last_character() -> None:
    tokens = name_tokens(["润芯微"]).split()
    assert len(tokens) == 3 and all(t.startswith(TOKEN_MARK) for t in tokens)
    assert all(t.isascii() and t.isalpha() and t.islower() for t in tokens)
    assert [len(t) for t in tokens] == [10, 10, 6]
    assert tokens[0][6:] == tokens[1][2:6]  # 芯 ends the first pair and starts the second


def test_a_short_name_inside_the_name_adds_nothing() -> None:
    assert name_tokens(["江苏沙钢集团有限公司", "沙钢"]) == name_tokens(["江苏沙钢集团有限公司"])
    both = name_tokens(["东南大学", "东大"]).split()
    assert TOKEN_MARK in both  # the separator between the two names


def test_the_gap_query_zhangjiagang_is_a_phrase_of_the_name_zhangjiagangshi() -> None:
    query = query_tokens("张家港")
    assert query.startswith('"') and len(phrase(query)) == 2
    assert has_phrase(name_tokens(["张家港市律师行业党委"]).split(), phrase(query))
    assert not has_phrase(name_tokens(["港家张市", "张家乐家港"]).split(), phrase(query))


def test_one_character_is_a_prefix_of_a_token_wherever_it_stands() -> None:
    query = query_tokens("芯")
    assert not query.startswith('"')
    for name in ("润芯微", "芯片", "中芯"):
        assert any(t.startswith(query) for t in name_tokens([name]).split()), name
    assert not any(t.startswith(query) for t in name_tokens(["润微"]).split())


han = st.characters(min_codepoint=0x4E00, max_codepoint=0x4E3F)  # few: substrings recur
name_text = st.text(st.one_of(han, st.sampled_from("AbＧ6 “”、")), min_size=1, max_size=12)


@settings(max_examples=300, deadline=None)
@given(name_text, name_text, st.text(st.one_of(han, st.sampled_from("Ab6")), min_size=2,
                                     max_size=4))
def test_a_query_matches_a_name_exactly_when_the_name_contains_it(
        name: str, short: str, query: str) -> None:
    """The phrase query finds the page iff normalize(query) is in one of its names."""
    tokens = name_tokens([name, short]).split()
    expected = any(normalize(query) in normalize(n) for n in (name, short))
    assert has_phrase(tokens, phrase(query_tokens(query))) == expected


# ---- the indexed copy of a page ----------------------------------------------------------

def test_split_han_puts_a_zero_width_space_between_characters_but_not_in_tags() -> None:
    html = '<p title="雨花">雨花台区G60科创</p><dd>人才</dd>'
    split = split_han(html)
    assert split.replace(ZWSP, "") == html
    assert 'title="雨花"' in split
    assert f"{ZWSP}雨{ZWSP}花{ZWSP}台{ZWSP}区{ZWSP}G60{ZWSP}科{ZWSP}创</p>" in split
    assert f"<dd>{ZWSP}人{ZWSP}才</dd>" in split  # dt and dd texts do not run together


def test_only_main_is_indexed_with_kind_tokens_and_summary() -> None:
    p = page("stations/x/", "station", "“沙洲红立方”先锋阵地", summary="一个&amp;阵地")
    html = prepare_html(p)
    assert "页脚" not in html and "脚本" not in html and "站名" not in html
    assert 'data-pagefind-meta="kind:station"' in html and ">zxstation zq" in html
    assert name_tokens(p.names) in html
    assert 'data-pagefind-meta="summary" data-pagefind-ignore>一个&amp;阵地<' in html
    assert 'data-pagefind-sort="name:20009"' in html  # stations rank third
    assert p.html == page("stations/x/", "station", "“沙洲红立方”先锋阵地",
                          summary="一个&amp;阵地").html  # the page itself is untouched


def test_a_page_without_main_is_indexed_whole() -> None:
    p = SearchPage("listings/y/", "<html><body><h1>项目资金缺口</h1></body></html>", "listing",
                   ("项目资金缺口",))
    assert "缺" in prepare_html(p) and "zxlisting" in prepare_html(p)


# ---- Pagefind ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundle() -> list[Output]:
    return index_pages([
        page("alliances/zjg/", "alliance", "张家港市产业链党建联盟", "张家港“三链”党建"),
        page("enterprises/sg/", "enterprise", "江苏沙钢集团有限公司", "沙钢"),
        page("enterprises/rx/", "enterprise", "润芯微", address="苏州市相城区"),
        page("stories/s/", "story", "一座研究院，带着163家链上企业降本增效"),
        page("stations/st/", "station", "“沙洲红立方”先锋阵地"),
        page("listings/li/", "listing", "项目资金缺口"),
    ])


def test_the_bundle_is_the_engine_and_the_index_without_pagefinds_ui(bundle) -> None:
    paths = {o.path for o in bundle}
    assert {"pagefind/pagefind.js", "pagefind/pagefind-worker.js",
            "pagefind/pagefind-entry.json", "pagefind/wasm.unknown.pagefind"} <= paths
    assert not any("-ui" in p or "highlight" in p or "playground" in p for p in paths)
    assert all(p.startswith("pagefind/") for p in paths)
    entry = json.loads(next(o.data for o in bundle if o.path.endswith("entry.json")))
    assert entry["version"] == "1.5.2"
    assert entry["languages"]["zh-cn"]["page_count"] == 6


def test_every_page_records_its_kind_title_and_summary(bundle) -> None:
    found = fragments(bundle)
    assert {u: f["meta"]["kind"] for u, f in found.items()} == {
        "/alliances/zjg/": "alliance", "/enterprises/sg/": "enterprise",
        "/enterprises/rx/": "enterprise", "/stories/s/": "story",
        "/stations/st/": "station", "/listings/li/": "listing"}
    for f in found.values():  # the word search.js filters kinds by
        assert KIND_MARK + f["meta"]["kind"] in words(f["content"])
    assert not any(o.path.startswith("pagefind/filter/") for o in bundle)
    sg = found["/enterprises/sg/"]
    assert sg["meta"]["title"].replace(ZWSP, "") == "江苏沙钢集团有限公司"
    assert sg["meta"]["summary"] == "简介。"
    assert "地图图例" not in sg["content"]  # .map-block is excluded


def test_the_name_gap_is_closed_zhangjiagang_finds_the_page_saying_zhangjiagangshi(bundle
                                                                                  ) -> None:
    """张家港 as the browser sends it, both ways, against what Pagefind indexed.

    Pagefind's ICU query segmentation gives 张|家|港; jieba indexes 张家港市 as one word, so
    the plain index has no word starting with 家 or 港 there. Split, the page holds the
    characters as words in a row, and its name tokens hold the query's pairs in a row.
    """
    content = words(fragments(bundle)["/alliances/zjg/"]["content"])
    assert has_phrase(content, ["张", "家", "港", "市"])
    assert has_phrase(content, phrase(query_tokens("张家港")))
    assert has_phrase(content, phrase(query_tokens("三链")))  # from the short name
    rx = words(fragments(bundle)["/enterprises/rx/"]["content"])
    assert any(w.startswith(query_tokens("芯")) for w in rx)  # one character: 润芯微
    others = [u for u, f in fragments(bundle).items()
              if has_phrase(words(f["content"]), phrase(query_tokens("张家港")))]
    assert others == ["/alliances/zjg/"]  # the address says 张家港市, but it is no name


def test_the_same_pages_give_the_same_bytes_in_any_order() -> None:
    """Each run is a new Pagefind process (new hash seeds): nothing may depend on them."""
    pages = [page(f"{kind}s/p{i}/", kind, f"第{i}个{kind}：张家港{i}号")
             for i in range(12) for kind in KINDS]
    first = index_pages(pages)
    assert index_pages(list(reversed(pages))) == first
    assert index_pages(pages) == first


def test_a_missing_pagefind_binary_is_a_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    with pytest.raises(SearchError, match="Pagefind"):
        index_pages([page("listings/li/", "listing", "项目资金缺口")])


def test_a_pagefind_that_dies_is_an_error_not_a_hang(monkeypatch) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with pytest.raises(SearchError):
        index_pages([page("listings/li/", "listing", "项目资金缺口")])


def test_search_outputs_indexes_every_item_of_the_five_kinds(make_site) -> None:
    result = build(make_site(), write=False)
    assert result.ok and result.model is not None
    outputs = search_outputs(list(result.outputs), result.model)
    m = result.model
    items = [*m.alliances, *m.enterprises, *m.stories, *m.stations, *m.listings]
    found = fragments(outputs)
    assert set(found) == {"/" + i.url for i in items}
    assert {f["meta"]["kind"] for f in found.values()} <= set(KINDS)
