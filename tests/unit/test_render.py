"""Render stage: relative links, numbers, the theme lookup, pages per model."""

from __future__ import annotations

from site_builder.render.i18n import format_number
from site_builder.render.pages import relative_root
from site_builder.render.plan import pager_window
from tests.conftest import build


def test_relative_root_climbs_one_level_per_folder() -> None:
    assert relative_root("") == "./"
    assert relative_root("alliances/") == "../"
    assert relative_root("stories/page/2/") == "../../../"


def test_numbers_are_formatted_for_the_language() -> None:
    assert format_number(13.45, "zh") == "13.45"
    assert format_number(4355, "zh") == "4355"
    assert format_number(4355, "en") == "4,355"
    assert format_number(2.0, "zh") == "2"


def test_pagination_writes_one_page_per_ten_stories(make_site) -> None:
    files = {f"content/stories/s{i:02d}.md":
             f"---\ntitle: 案例{i}\ndate: 2024-01-{i + 1:02d}\nsummary: S\n---\n正文\n"
             for i in range(21)}
    result = build(make_site(files), write=False)
    paths = {o.path for o in result.outputs}
    assert {"stories/index.html", "stories/page/2/index.html", "stories/page/3/index.html"} <= paths
    assert "stories/page/4/index.html" not in paths
    page3 = next(o for o in result.outputs if o.path == "stories/page/3/index.html")
    assert page3.data.count(b'class="story-item"') == 2  # 22 stories: 10 + 10 + 2


def test_the_pager_shows_the_ends_and_the_pages_around_the_current_one() -> None:
    assert pager_window(1, 1) == [1]
    assert pager_window(2, 3) == [1, 2, 3]
    assert pager_window(1, 300) == [1, 2, 3, None, 300]
    assert pager_window(150, 300) == [1, None, 148, 149, 150, 151, 152, None, 300]
    assert pager_window(5, 10) == [1, 2, 3, 4, 5, 6, 7, None, 10]  # no gap of one number
    assert pager_window(300, 300) == [1, None, 298, 299, 300]
    for count in range(1, 40):  # every page reachable, in order, current always shown
        for current in range(1, count + 1):
            shown = pager_window(current, count)
            numbers = [k for k in shown if k is not None]
            assert numbers == sorted(set(numbers)) and current in numbers
            assert numbers[0] == 1 and numbers[-1] == count
            assert None not in shown[:1] + shown[-1:]


def test_a_long_pager_links_the_neighbours_not_every_page(make_site) -> None:
    files = {f"content/stories/s{i:03d}.md":
             f"---\ntitle: 案例{i}\ndate: 2024-01-01\nsummary: S\n---\n正文\n"
             for i in range(120)}
    result = build(make_site(files), write=False)
    page6 = next(o for o in result.outputs if o.path == "stories/page/6/index.html")
    pager = page6.data.decode().split('class="pager"')[1].split("</nav>")[0]
    # 121 stories: 13 pages; page 6 shows 1 … 4 5 6 7 8 … 13
    for k in (4, 5, 7, 8, 13):
        assert f'href="../../../stories/page/{k}/"' in pager
    assert 'href="../../../stories/"' in pager
    for k in (2, 3, 9, 12):
        assert f'stories/page/{k}/"' not in pager
    assert pager.count('class="gap"') == 2 and '<span aria-current="page">6</span>' in pager


def test_pages_never_reference_a_cdn(make_site) -> None:
    result = build(make_site(), write=False)
    for out in result.outputs:
        if out.path.endswith((".html", ".css", ".js")):
            assert b"//cdn" not in out.data and b"googleapis" not in out.data, out.path


def test_fixed_translations_are_folded_only_where_t_is_the_theme_s() -> None:
    import jinja2

    from site_builder.incremental.deps import TrackingEnvironment
    from site_builder.render.i18n import FoldTranslations

    env = TrackingEnvironment(loader=jinja2.DictLoader({
        "plain.html": "{{ t('nav.home') }}|{{ t('alliances.count', n=3) }}",
        "own.html": "{% set t = f %}{{ t('nav.home') }}",
        "macro.html": "{% macro m(t) %}{{ t('nav.home') }}{% endmacro %}{{ m(f) }}",
        "unknown.html": "{{ t('no.such.key') }}",
    }), autoescape=True)
    env.fold = FoldTranslations("zh-CN")
    calls: list[str] = []

    def t(key: str, **kw: object) -> str:
        calls.append(key)
        return f"<{key}>"

    def f(key: str) -> str:
        return "own"

    env.globals.update(t=t, f=f)
    assert env.get_template("plain.html").render() == "首页|&lt;alliances.count&gt;"
    assert calls == ["alliances.count"]  # the fixed one was folded, not called
    assert env.get_template("own.html").render() == "own"
    assert env.get_template("macro.html").render() == "own"
    assert env.get_template("unknown.html").render() == "&lt;no.such.key&gt;"
