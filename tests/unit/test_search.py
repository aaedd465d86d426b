"""Search index: what a page's text is, the terms it is listed under, the files, and that
a lookup in them finds exactly the pages holding a query.

`lookup` below reads the index files as assets/search.js does (shards by FNV-1a, ids,
kinds, records); the browser itself is exercised in tests/browser/test_search.py.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.core.outputs import Output
from site_builder.search.index import (
    INDEX_DIR,
    KINDS,
    SearchPage,
    decode_shard,
    encode_shard,
    index_pages,
    shard_count,
    shard_of,
)
from site_builder.search.text import NAME_MARK, fold, main_text, normalize, page_terms, query_terms
from site_builder.search.update import search_outputs
from tests.conftest import build

PAGE = """<!doctype html><html lang="zh-CN"><head><title>{title}</title>
<meta name="description" content="{summary}"></head>
<body><header><a class="brand" href="../../">站名</a></header>
<main id="main"><h1>{title}</h1><p class="lead">{summary}</p>
<div class="map-block"><div><p>地图图例：先锋阵地</p></div>
<script>var s = "<p>脚本</p>";</script></div>
<svg><text>图谱文字</text></svg>
<dl><dt>地址</dt><dd>{address}</dd></dl><p>{body}</p></main>
<footer>页脚：张家港</footer><script>var x = "脚本";</script></body></html>"""


def page(url: str, kind: str, title: str, short: str = "", summary: str = "简介。",
         address: str = "江苏省苏州市张家港市", body: str = "") -> SearchPage:
    html = PAGE.format(title=title, summary=summary, address=address, body=body)
    return SearchPage(url, kind, (title, short or title), Output(url + "index.html",
                                                                  html.encode("utf-8")))


def files(outputs: list[Output]) -> dict[str, bytes]:
    return {o.path.removeprefix(INDEX_DIR): o.data for o in outputs}


def lookup(index: dict[str, bytes], query: str, kinds: tuple[str, ...] = ()) -> list[str]:
    """The URLs search.js lists for `query`: name matches first, then the text, each
    candidate checked against its record (a page with the pairs but not the query)."""
    meta = json.loads(index["meta.json"])

    def ids(terms: list[str]) -> list[int]:
        if not terms:
            return []
        found = None
        for term in terms:
            shard = decode_shard(index[f"t/{shard_of(term, meta['shards']):03x}.bin"],
                                 meta["width"])
            have = set(shard.get(term, ()))
            found = have if found is None else found & have
        return sorted(found or ())

    words = [w for w in query.split() if normalize(w)]
    name_ids = ids([t for w in words for t in query_terms(w)[1]])
    text_ids = ids([t for w in words for t in query_terms(w)[0]])
    ranges = [meta["kinds"].get(k, [0, 0]) for k in kinds]
    order = name_ids + [i for i in text_ids if i not in name_ids]
    found = []
    for n in order:
        if ranges and not any(lo <= n < hi for lo, hi in ranges):
            continue
        record = json.loads(index[f"r/{n}.json"])
        in_name = all(any(normalize(w) in name for name in record["names"]) for w in words)
        in_text = all(run in fold(record["text"]) for w in words for run in fold(w).split())
        if in_name or in_text:
            found.append(record["url"])
    return found


# ---- text --------------------------------------------------------------------------------

def test_main_text_is_what_a_reader_sees_of_main() -> None:
    p = page("enterprises/sg/", "enterprise", "江苏沙钢集团有限公司", body="钢铁&amp;材料")
    text = main_text(p.output.data.decode())
    assert text == "江苏沙钢集团有限公司 简介。 地址 江苏省苏州市张家港市 钢铁&材料"
    assert "地图图例" not in text and "脚本" not in text and "图谱" not in text  # left out
    assert "站名" not in text and "页脚" not in text  # outside <main>


def test_a_page_without_main_is_read_whole_and_stray_tags_do_not_hide_text() -> None:
    assert main_text("<html><body><h1>项目资金缺口</h1></div><p>融资</p></body></html>") == \
        "项目资金缺口 融资"
    assert main_text('<main><div class="pager"><div>1</div>2</div>正文<br>续<hr/>完</main>') \
        == "正文 续 完"
    assert main_text("<main><p data-search-ignore>隐</p><p class='no-print x'>藏</p>显</main>") \
        == "显"


def test_fold_and_normalize_compare_text_and_names_the_same_way_in_any_width() -> None:
    assert normalize("Ｇ60“科创”走廊") == "g60科创走廊"
    assert fold("Ｇ60“科创”走廊") == "g60 科创 走廊"
    assert fold("供需\n对接") == "供需 对接"


def test_a_page_is_listed_under_each_character_and_pair_of_its_text_and_names() -> None:
    terms = page_terms("党建，联盟", ["润芯微", "芯微"])
    assert {"党", "建", "党建", "联", "盟", "联盟"} == {t for t in terms if t[0] != NAME_MARK}
    assert "建联" not in terms  # not neighbours: a comma between
    assert {NAME_MARK + t for t in ("润", "芯", "微", "润芯", "芯微")} == {
        t for t in terms if t[0] == NAME_MARK}


def test_a_query_is_looked_up_by_its_pairs_or_its_one_character() -> None:
    assert query_terms("张家港") == (["张家", "家港"], ["#张家", "#家港"])
    assert query_terms("芯") == (["芯"], ["#芯"])
    assert query_terms("“三链”党建") == (["三链", "党建"], ["#三链", "#链党", "#党建"])
    assert query_terms("!!") == ([], [])


# ---- files -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index() -> dict[str, bytes]:
    return files(index_pages([
        page("alliances/zjg/", "alliance", "张家港市产业链党建联盟", "张家港“三链”党建"),
        page("enterprises/sg/", "enterprise", "江苏沙钢集团有限公司", "沙钢"),
        page("enterprises/rx/", "enterprise", "润芯微", address="苏州市相城区"),
        page("stories/s/", "story", "一座研究院，带着163家链上企业降本增效",
             ),
        page("stations/st/", "station", "“沙洲红立方”先锋阵地"),
        page("listings/li/", "listing", "项目资金缺口"),
    ]))


def test_the_index_is_meta_shards_and_one_record_a_page(index) -> None:
    meta = json.loads(index["meta.json"])
    assert meta == {"format": 1, "pages": 6, "shards": 8, "width": 2, "kinds": {
        "alliance": [0, 1], "enterprise": [1, 3], "station": [3, 4], "listing": [4, 5],
        "story": [5, 6]}}
    assert sorted(index) == sorted(["meta.json", *(f"t/{n:03x}.bin" for n in range(8)),
                                    *(f"r/{n}.json" for n in range(6))])
    assert json.loads(index["r/1.json"])["url"] == "enterprises/sg/"  # 沙钢: shorter
    rx = json.loads(index["r/2.json"])
    assert rx == {"url": "enterprises/rx/", "kind": "enterprise", "title": "润芯微",
                  "names": ["润芯微"], "summary": "简介。",
                  "text": "润芯微 简介。 地址 苏州市相城区"}


def test_names_match_any_part_of_a_name_and_come_first(index) -> None:
    # The alliance's name holds 张家港; the others' addresses say it (in id order).
    assert lookup(index, "张家港") == ["alliances/zjg/", "enterprises/sg/", "stations/st/",
                                       "listings/li/", "stories/s/"]
    assert lookup(index, "三链") == ["alliances/zjg/"]  # only the short name says it
    assert lookup(index, "芯") == ["enterprises/rx/"]
    assert lookup(index, "沙钢 江苏") == ["enterprises/sg/"]  # every word, AND
    assert lookup(index, "张家港", ("station", "story")) == ["stations/st/", "stories/s/"]


def test_pages_with_the_pairs_but_not_the_query_are_left_out() -> None:
    index = files(index_pages([page("stories/s/", "story", "案例", address="南京市",
                                    body="张家湾与家港路")]))
    shard = decode_shard(index[f"t/{shard_of('家港', 8):03x}.bin"], 2)
    assert shard["家港"] == [0]  # listed under both pairs of 张家港…
    assert lookup(index, "张家港") == []  # …yet its text does not hold it
    assert lookup(index, "家港路") == ["stories/s/"]
    assert lookup(index, "地图图例") == [] and lookup(index, "脚本") == []


def test_shards_round_trip_and_terms_land_where_the_browser_looks() -> None:
    postings = {"党建": [0, 3, 65535], "g60": [7], "𠀾": [1, 2]}
    assert decode_shard(encode_shard(postings, 2), 2) == postings
    assert decode_shard(encode_shard(postings, 4), 4) == postings
    data = encode_shard(postings, 2)
    assert (4 + int.from_bytes(data[:4], "little")) % 4 == 0  # ids aligned for Uint16Array
    assert shard_of("党建", 4096) == shard_of("党建", 2**32) % 4096
    assert [shard_count(n) for n in (1, 80, 81, 18_000, 10**6)] == [8, 8, 16, 2048, 4096]


def test_the_same_pages_give_the_same_bytes_in_any_order() -> None:
    pages = [page(f"{kind}s/p{i}/", kind, f"第{i}个{kind}：张家港{i}号")
             for i in range(12) for kind in KINDS]
    first = index_pages(pages)
    assert index_pages(list(reversed(pages))) == first
    assert index_pages(pages) == first


HAN = st.sampled_from("党建联盟产业链张家港市沙钢芯")


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(HAN | st.sampled_from("，G6 "), max_size=30), min_size=1,
                      max_size=8),
       query=st.text(HAN, min_size=1, max_size=5))
def test_a_lookup_finds_exactly_the_pages_whose_text_or_name_holds_the_query(texts, query
                                                                            ) -> None:
    pages = [page(f"stories/p{i}/", "story", f"案例{i}", body=t) for i, t in enumerate(texts)]
    found = lookup(files(index_pages(pages)), query)
    want = {p.url for p in pages if fold(query).strip() in fold(main_text(
        p.output.data.decode())) or normalize(query) in normalize(p.names[0])}
    assert set(found) == want and len(found) == len(want)


def test_search_outputs_indexes_every_item_of_the_five_kinds(make_site) -> None:
    result = build(make_site(), write=False)
    assert result.ok and result.model is not None
    index = files(search_outputs(list(result.outputs), result.model))
    m = result.model
    items = [*m.alliances, *m.enterprises, *m.stories, *m.stations, *m.listings]
    records = [json.loads(v) for k, v in index.items() if k.startswith("r/")]
    assert sorted(r["url"] for r in records) == sorted(i.url for i in items)
    assert {r["kind"] for r in records} <= set(KINDS)


def test_records_made_in_forked_workers_give_the_same_index(monkeypatch) -> None:
    import site_builder.search.index as search

    pages = [page(f"{kind}s/p{i}/", kind, f"第{i}个：张家港{i}号", body=f"正文{i}" * i)
             for i in range(30) for kind in KINDS]
    alone = index_pages(pages)
    monkeypatch.setattr(search, "_PARALLEL_MIN", 1)
    monkeypatch.setattr(search, "_CHUNK", 7)
    assert index_pages(pages, jobs=2) == alone
