"""Untrusted text never becomes executable script in a built page."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import build

# Known XSS payloads, as an editor (or a pasted web page) might put them in Markdown.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "<svg onload=alert(3)><circle r=5></circle></svg>",
    "[click](javascript:alert(4))",
    "[click](  JaVaScRiPt:alert(5))",
    '<a href="&#106;avascript:alert(6)">x</a>',
    '<a href="jav&#x09;ascript:alert(7)">x</a>',
    "<javascript:alert(8)>",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoOSk+)",
    '<a href="data:text/html,<script>alert(10)</script>">x</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    "<style>body{background:url(javascript:alert(11))}</style>",
    '<div style="background-image:url(javascript:alert(12))">x</div>',
    "<details open ontoggle=alert(13)>x</details>",
    '<form action="javascript:alert(14)"><button>go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(15)">',
    '<base href="https://evil.example/">',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(16)>",
    '<a href="vbscript:msgbox(17)">x</a>',
    '<p onclick="alert(18)" onmouseover="alert(19)">x</p>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(20)>\"></noscript>",
]
BAD_TAGS = {"script", "iframe", "object", "embed", "style", "base", "form", "svg", "math"}


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        a = dict(attrs)
        if tag == "form" and a.get("class") == "site-search" and (
                a.get("action") or "").endswith("search/"):
            return  # the theme's own search box
        if tag == "script" and a.get("src", "").split("?")[0].endswith((
                "assets/site.js", "assets/map.js", "assets/search.js", "leaflet.js",
                "leaflet.markercluster.js")):
            return  # the theme's own scripts
        ours = tag == "svg" and (a.get("class") or "").startswith(
            ("chain-svg", "stats-chart", "qr-svg"))  # build-time graphics of the theme
        if self.in_body and tag in BAD_TAGS and not (tag == "script" and not a) and not ours:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"{tag} {name}")
            if name in ("href", "src", "action", "formaction") and value:
                squeezed = "".join(value.split()).lower()
                if squeezed.startswith(("javascript:", "vbscript:", "data:")):
                    self.problems.append(f"{tag} {name}={value}")
            if name == "style" and "url(" in (value or ""):
                self.problems.append(f"{tag} style={value}")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    return parser.problems


def test_markdown_payloads_are_neutralised(make_site) -> None:
    body = "\n\n".join(f"第 {i} 段：{p}" for i, p in enumerate(PAYLOADS))
    site = make_site({
        "content/stories/xss.md":
            f"---\ntitle: 测试\ndate: 2024-01-01\nsummary: S\n---\n\n{body}\n",
        "content/pages/xss.md": f"---\ntitle: 页\n---\n\n{body}\n",
        "content/enterprises/test-member.yaml": (
            "name: 测试<script>alert(21)</script>\nmemberships:\n"
            "  - {alliance: test-chain, role: 成员企业, segment: 下游}\n"
            f"description: |\n  {PAYLOADS[1]}\n  {PAYLOADS[3]}\n"),
    })
    result = build(site)
    assert result.ok, result.report.format()
    out = site / "output"
    for rel in ("stories/xss/index.html", "pages/xss/index.html",
                "enterprises/test-member/index.html", "alliances/test-chain/index.html",
                "feed.xml"):
        html = (out / rel).read_text(encoding="utf-8")
        if rel.endswith(".xml"):
            assert "<script" not in html.lower()
            continue
        assert audit(html) == [], rel
    story = (out / "stories/xss/index.html").read_text(encoding="utf-8")
    assert "第 0 段" in story  # the text around a payload is kept


def test_yaml_text_is_escaped_everywhere(make_site) -> None:
    site = make_site({"content/stations/test-station.yaml":
                      'name: "站</script><script>alert(1)</script>"\naddress: "<b>地址</b>"\n'
                      "type: 其他\nlocation: {lat: 31.9, lon: 118.7}\nalliances: [test-chain]\n"})
    assert build(site).ok
    for page in ("stations/test-station/index.html", "map/index.html",
                 "alliances/test-chain/index.html"):
        html = (site / "output" / page).read_text(encoding="utf-8")
        assert audit(html) == [], page
        assert "<b>地址</b>" not in html


def test_safe_html_is_kept(make_site) -> None:
    site = make_site({"content/pages/ok.md": "---\ntitle: 页\n---\n\n"
                      "H<sub>2</sub>O 与 10<sup>3</sup><br>换行\n\n"
                      "| 指标 | 数值 |\n|:--|--:|\n| 企业 | 127 |\n"})
    assert build(site).ok
    html = (site / "output/pages/ok/index.html").read_text(encoding="utf-8")
    assert "<sub>2</sub>" in html and "<sup>3</sup>" in html and "<br>" in html
    assert '<td style="text-align:right">127</td>' in html


def test_a_path_outside_content_is_refused(make_site) -> None:
    site = make_site({"content/stories/first-story.md":
                      "---\ntitle: T\ndate: 2024-01-01\nsummary: S\ncover: /media/../../x.png\n"
                      "---\n"})
    assert [d.code for d in build(site).report.errors] == ["path-escape"]
