"""Fixed site paths in templates are folded into `root ~ 'path'` when compiled: the same
page text, without a call per link."""

from __future__ import annotations

import jinja2

from site_builder.memo import TrackingEnvironment
from site_builder.templatefold import FoldSiteUrls

TEMPLATES = {
    "page.html": ('<a href="{{ url(\'\') }}">home</a> <a href="{{ url(\'/feed.xml\') }}">f</a> '
                  "{{ url('https://www.gov.cn/?a=1&b=2') }} {{ url('#top') }} "
                  "{{ url('mailto:a@b.cn') }} {{ url(target) }} {{ url('a\"b') }}"
                  "{% import 'macros.html' as m with context %}{{ m.link() }}"),
    "macros.html": "{% macro link() %}<a href=\"{{ url('tags/') }}\">t</a>{% endmacro %}",
    # A template with its own `root`: left as it is.
    "own.html": "{% set root = '/x/' %}{{ url('tags/') }}",
}


def _render(fold: bool, name: str, root: str) -> tuple[str, list[str]]:
    env = TrackingEnvironment(loader=jinja2.DictLoader(TEMPLATES), autoescape=True)
    if fold:
        env.fold = FoldSiteUrls()
    calls: list[str] = []

    def url(target: str) -> str:
        calls.append(target)
        text = str(target)
        if text.startswith(("http://", "https://", "mailto:", "tel:", "#")):
            return text
        return root + text.lstrip("/")

    html = env.get_template(name).render(root=root, url=url, target="stories/")
    return html, calls


def test_folded_links_are_the_links_url_gives() -> None:
    for root in ("./", "../../", "/dangjian/"):
        folded, calls = _render(True, "page.html", root)
        plain, plain_calls = _render(False, "page.html", root)
        assert folded == plain
        assert calls == ["stories/"]  # only the link to a variable is still a call
        assert len(plain_calls) == 8
    own, calls = _render(True, "own.html", "./")
    assert own == _render(False, "own.html", "./")[0] and calls == ["tags/"]
