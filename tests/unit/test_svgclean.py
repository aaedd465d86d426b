"""SVG files are published without anything that can script or reach out (issue #20, 3)."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

import pytest

from site_builder.load.svgclean import SVG_NS, clean_svg

HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'

CLEAN = [
    f'{HEAD} width="10" height="10"><circle cx="5" cy="5" r="4" fill="#b3121b"/></svg>',
    '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!-- made by hand -->\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    f'{HEAD}><defs><linearGradient id="g"><stop offset="0"/></linearGradient></defs>'
    '<rect width="5" height="5" fill="url(#g)" style="stroke:#000"/><use xlink:href="#g"/>'
    '<a href="https://www.example.gov.cn/"><text>链接 &amp; 文字</text></a>'
    '<style><![CDATA[ .a > b { fill: red } ]]></style></svg>\n',
    # Inkscape's namespaced metadata: inert to a browser, kept as it is.
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/'
    'namespaces/inkscape" xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/'
    'sodipodi-0.dtd" inkscape:version="1.2"><sodipodi:namedview pagecolor="#fff"/>'
    '<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>'
    '<animate attributeName="opacity" from="0" to="1" dur="1s"/></svg>',
]


@pytest.mark.parametrize("svg", CLEAN)
def test_a_clean_svg_is_published_byte_for_byte(svg: str) -> None:
    data = svg.encode()
    result = clean_svg(data)
    assert result.problem is None and not result.cleaned
    assert result.data is data


# (what the repro and known payloads put in, what must not come out)
DIRTY = [
    (f'{HEAD} onload="alert(1)"><script>alert(2)</script><circle r="5"/></svg>',
     ("onload", "<script", "alert")),
    (f'{HEAD}><circle r="5" onclick="alert(1)" ONMOUSEOVER="alert(2)"/></svg>',
     ("onclick", "ONMOUSEOVER")),
    (f'{HEAD}><foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
     'src="javascript:alert(1)"/></foreignObject></svg>', ("foreignObject", "iframe")),
    (f'{HEAD} xmlns:h="http://www.w3.org/1999/xhtml"><h:script>alert(1)</h:script>'
     '<h:img src="x" onerror="alert(2)"/></svg>', ("h:script", "h:img", "alert")),
    (f'{HEAD}><a href="javascript:alert(1)"><text>x</text></a>'
     '<a xlink:href=" JaVa&#x09;ScRiPt:alert(2)"><text>y</text></a></svg>',
     ("javascript", "ScRiPt")),
    (f'{HEAD}><use href="https://evil.example/x.svg#a"/>'
     '<image xlink:href="//evil.example/track.png"/>'
     '<image href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"/></svg>',
     ("evil.example", "data:image/svg")),
    (f'{HEAD}><a><set attributeName="xlink:href" to="javascript:alert(1)"/>'
     '<animate attributeName="href" values="javascript:alert(2)"/><text>x</text></a></svg>',
     ("javascript", "<set", "<animate")),
    (f'{HEAD} xml:base="javascript:alert(1)//"><a href="x"><text>x</text></a></svg>',
     ("xml:base",)),
    (f'{HEAD}><style>@import url(https://evil.example/x.css);</style>'
     '<rect style="behavior:url(x.htc)"/><rect style="width:expression(alert(1))"/></svg>',
     ("@import", "behavior", "expression")),
    ('<?xml-stylesheet type="text/xsl" href="evil.xsl"?>' + f'{HEAD}><rect/></svg>',
     ("xml-stylesheet", "evil.xsl")),
    (f'{HEAD} xmlns:m="http://www.w3.org/1998/Math/MathML"><m:math><m:maction '
     'actiontype="statusline" xlink:href="javascript:alert(1)">x</m:maction></m:math></svg>',
     ("m:math", "javascript")),
    ('<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>' + f'{HEAD}><rect/></svg>',
     ("onload", "ATTLIST", "alert")),
    ('<!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]>' + f'{HEAD}>&x;</svg>',
     ("script", "alert", "ENTITY")),
]


@pytest.mark.parametrize(("svg", "banned"), DIRTY, ids=[str(n) for n in range(len(DIRTY))])
def test_scripts_handlers_foreign_content_and_outside_links_are_removed(
        svg: str, banned: tuple[str, ...]) -> None:
    result = clean_svg(svg.encode())
    assert result.problem is None and result.cleaned and result.data is not None
    text = result.data.decode()
    for word in banned:
        assert word.lower() not in text.lower(), text
    root = ET.fromstring(result.data)  # still an SVG image, well-formed
    assert root.tag == f"{{{SVG_NS}}}svg"
    again = clean_svg(result.data)  # what was published has nothing left to remove
    assert not again.cleaned and again.problem is None


def test_what_is_kept_around_removed_parts_keeps_its_text_and_attributes() -> None:
    svg = (f'{HEAD} width="20"><g id="logo" fill="#b3121b"><script>alert(1)</script>'
           '<text x="1" y="2">产业链 &lt;党建&gt; &amp; "联盟"</text></g></svg>')
    result = clean_svg(svg.encode())
    root = ET.fromstring(result.data or b"")
    assert root.get("width") == "20"
    g = root.find(f"{{{SVG_NS}}}g")
    assert g is not None and g.get("fill") == "#b3121b"
    text = g.find(f"{{{SVG_NS}}}text")
    assert text is not None and text.text == '产业链 <党建> & "联盟"'
    assert g.find(f"{{{SVG_NS}}}script") is None


def test_an_illustrator_export_keeps_its_drawing_without_entities_or_private_data() -> None:
    # Illustrator writes its namespaces as entities and its editing data in a
    # <foreignObject> that <switch> skips; browsers draw the <g> after it.
    svg = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1'
           '//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [\n'
           '\t<!ENTITY ns_extend "http://ns.adobe.com/Extensibility/1.0/">\n'
           '\t<!ENTITY ns_ai "http://ns.adobe.com/AdobeIllustrator/10.0/">\n'
           '\t<!ENTITY ns_svg "http://www.w3.org/2000/svg">\n]>\n'
           '<svg version="1.1" xmlns:x="&ns_extend;" xmlns:i="&ns_ai;" xmlns="&ns_svg;" '
           'width="100" height="50"><switch><foreignObject requiredExtensions="&ns_ai;" '
           'x="0" y="0" width="1" height="1"><i:pgfRef xlink:href="#adobe_illustrator_pgf" '
           'xmlns:xlink="http://www.w3.org/1999/xlink"/></foreignObject>'
           '<g i:extraneous="self"><rect width="100" height="50" fill="#c00"/></g></switch>'
           '</svg>')
    result = clean_svg(svg.encode())
    assert result.problem is None and result.cleaned
    text = (result.data or b"").decode()
    assert "ENTITY" not in text and "foreignObject" not in text and "pgfRef" not in text
    root = ET.fromstring(result.data or b"")
    assert root.find(f".//{{{SVG_NS}}}rect") is not None
    assert 'xmlns="http://www.w3.org/2000/svg"' in text


@pytest.mark.parametrize(("svg", "words"), [
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lollollollol">'
     '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
     f']>{HEAD}><text>&c;</text></svg>', "套用了别的实体"),
    (f'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>{HEAD}><text>&x;</text></svg>',
     "外部文件"),
    ('<!DOCTYPE svg [<!ENTITY % p "x">]>' + f'{HEAD}/>', "参数实体"),
    ('<!DOCTYPE svg [<!ENTITY big "' + "x" * 100_000 + '">]>' + HEAD + "><text>"
     + "&big;" * 50 + "</text></svg>", "实体展开后会增加 5,000,000 个字符"),
])
def test_entity_bombs_and_external_entities_are_refused_at_once(svg: str, words: str) -> None:
    start = time.perf_counter()
    result = clean_svg(svg.encode())
    assert time.perf_counter() - start < 1
    assert result.data is None and result.problem is not None
    assert words in result.problem.zh


@pytest.mark.parametrize(("data", "words", "where"), [
    (b"<html><body><script>alert(1)</script></body></html>",
     "它不是 SVG 图片（最外层的标签是 <html>）", (1, 1)),
    (b"<svg onload=alert(1)><script>alert(2)</script></svg>", "不是有效的 XML", (1, 13)),
    (b'<svg width="1"><rect/></svg>', 'xmlns="http://www.w3.org/2000/svg"', (1, 1)),
    (b'<svg xmlns="http://www.w3.org/2000/svg">\n  <g>\n</svg>', "开始和结束标签不配对", (3, 3)),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><x:a/></svg>', "前缀 x 没有声明", (1, 41)),
    (b"", "不是有效的 XML", (1, 1)),
])
def test_a_file_that_is_not_a_readable_svg_is_refused_at_its_place(
        data: bytes, words: str, where: tuple[int, int]) -> None:
    result = clean_svg(data)
    assert result.data is None and result.problem is not None
    assert words in result.problem.zh, result.problem.zh
    assert (result.line, result.col) == where


def test_a_build_parses_each_svg_once_however_often_it_asks(monkeypatch) -> None:
    # Loading checks each SVG and rendering cleans it; the preview rebuilds again and again.
    from site_builder.load import svgclean

    calls: list[bytes] = []
    real = svgclean._clean
    monkeypatch.setattr(svgclean, "_clean", lambda data: calls.append(data) or real(data))
    monkeypatch.setattr(svgclean, "_DONE", {})
    dirty = DIRTY[0][0].encode()
    first, second = clean_svg(dirty), clean_svg(bytes(dirty))
    assert first == second and first.cleaned
    clean = CLEAN[0].encode()
    again = bytes(clean)
    assert clean_svg(clean).data is clean and clean_svg(again).data is again
    broken = b"<svg"
    assert clean_svg(broken).problem == clean_svg(bytes(broken)).problem is not None
    assert len(calls) == 3
