"""SVG that cannot script: published as it is when it is clean, rewritten without what can
run or reach out when it is not, refused when it cannot be read.

An SVG opened on its own (a link to /media/x.svg) is a document of the site's origin: its
<script>, on…= handlers, javascript: links, <foreignObject> (HTML inside) and XHTML
elements would run with the site's cookies and pages. Designers' exports carry harmless
extras (Illustrator's entity declarations and <foreignObject> of private data, Inkscape's
namespaced metadata), so dangerous parts are removed rather than the file refused: what
is removed never shows in an <img>, and the editor need not own a drawing program. A
file with nothing to remove is published byte for byte.

Parsed with expat, never by building a tree from untrusted entity declarations: external,
parameter and nested entities are refused (no file is read, no "billion laughs"), and the
expansion of the others is bounded before expat expands them.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from dataclasses import dataclass
from typing import Any

from site_builder.core.diagnostics import L

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Namespaces whose elements a browser gives behaviour to (scripts, frames, forms, links):
# none of their elements is kept. Elements of other namespaces (Inkscape's, Adobe's, RDF
# metadata) are plain inert nodes to a browser, and are kept.
_ACTIVE_NS = frozenset({"http://www.w3.org/1999/xhtml", "http://www.w3.org/1998/Math/MathML"})

# SVG elements that draw, group, describe or style; not script, foreignObject, handler.
_SVG_ELEMENT_NAMES = """
a altGlyph altGlyphDef altGlyphItem animate animateColor animateMotion animateTransform
circle clipPath color-profile cursor defs desc discard ellipse feBlend feColorMatrix
feComponentTransfer feComposite feConvolveMatrix feDiffuseLighting feDisplacementMap
feDistantLight feDropShadow feFlood feFuncA feFuncB feFuncG feFuncR feGaussianBlur feImage
feMerge feMergeNode feMorphology feOffset fePointLight feSpecularLighting feSpotLight feTile
feTurbulence filter font font-face font-face-format font-face-name font-face-src
font-face-uri g glyph glyphRef hkern image line linearGradient marker mask metadata
missing-glyph mpath path pattern polygon polyline radialGradient rect set stop style svg
switch symbol text textPath title tref tspan use view vkern
"""
SVG_ELEMENTS = frozenset(_SVG_ELEMENT_NAMES.split())
_ANIMATIONS = frozenset({"animate", "animateColor", "animateMotion", "animateTransform", "set"})
_RASTER_DATA = re.compile(r"data:image/(png|jpe?g|gif|webp)[;,]")
_LINK_SCHEMES = ("http:", "https:", "mailto:", "tel:")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:")
_URL_JUNK = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these from a URL's scheme
# CSS that runs script in old Internet Explorer (still inside 360's compatibility mode) or
# loads a style sheet from elsewhere.
_CSS_ACTIVE = re.compile(r"expression\(|javascript:|vbscript:|-moz-binding|behavior|@import")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)

MAX_EXPANSION = 1_000_000  # characters all entity references may add to a file

_EXPAT_ZH = {
    "not well-formed (invalid token)": "有不合规则的字符或标签",
    "mismatched tag": "开始和结束标签不配对",
    "unclosed token": "有没有写完的标签",
    "no element found": "文件是空的或没有写完",
    "undefined entity": "用了没有定义的实体（&…;）",
    "junk after document element": "最外层标签结束后还有内容",
    "unbound prefix": "标签或属性的前缀没有声明（缺少 xmlns:…）",
    "duplicate attribute": "同一个属性写了两次",
    "unknown encoding": "文件的编码无法识别，请存为 UTF-8",
}


@dataclass(frozen=True)
class SvgResult:
    """What to publish for an SVG file, or why it cannot be."""

    data: bytes | None  # the file itself when clean, the cleaned file, or None
    problem: L | None = None
    line: int | None = None
    col: int | None = None
    cleaned: bool = False  # something was left out: `data` is not the file


class _Refused(Exception):
    def __init__(self, problem: L) -> None:
        super().__init__(problem.en)
        self.problem = problem
        self.where: tuple[int, int] | None = None  # (line, column), 1-based


# Results by the file's bytes: a build checks each SVG when loading and cleans it when
# rendering, and the preview rebuilds again and again (a 170 KB drawing: 50 ms a parse).
_DONE: dict[bytes, SvgResult] = {}
_DONE_MAX = 256  # files kept (each under _DONE_BYTES); the table is emptied when full
_DONE_BYTES = 1024 * 1024


def clean_svg(data: bytes) -> SvgResult:
    """The publishable form of the SVG file `data` (see the module's docstring)."""
    done = _DONE.get(data)
    if done is not None:
        clean = done.problem is None and not done.cleaned
        return SvgResult(data) if clean else done  # a clean file: the caller's own bytes
    result = _clean(data)
    if len(data) < _DONE_BYTES:
        if len(_DONE) >= _DONE_MAX:
            _DONE.clear()
        _DONE[data] = result
    return result


def _clean(data: bytes) -> SvgResult:
    cleaner = _Cleaner(data)
    parser = xml.parsers.expat.ParserCreate()
    cleaner.attach(parser)
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        line, col = exc.where or (None, None)
        return SvgResult(None, exc.problem, line, col)
    except xml.parsers.expat.ExpatError as exc:
        english = xml.parsers.expat.ErrorString(exc.code) or str(exc)
        zh = _EXPAT_ZH.get(english, english)
        return SvgResult(None, L(f"它不是有效的 XML：{zh}", f"it is not valid XML: {english}"),
                         exc.lineno, exc.offset + 1)
    if not cleaner.root_seen:
        return SvgResult(None, L("文件里没有任何标签", "it holds no element"))
    if not cleaner.dirty:
        return SvgResult(data)
    return SvgResult(cleaner.output(), cleaned=True)


class _Cleaner:
    """expat's handlers: keep what is safe, note whether anything was left out."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>\n']
        self.scopes: list[dict[str, str]] = [{"xml": XML_NS}]
        self.skip = 0  # depth inside an element left out with everything in it
        self.depth = 0
        self.dirty = False
        self.root_seen = False
        self.open_tag = False  # the last start tag is not closed yet (it may stay empty)
        self.entities: dict[str, int] = {}  # name → length of its text
        self.style: tuple[int, int, list[str]] | None = None  # a <style>: where, depth, text

    def attach(self, parser: Any) -> None:
        self.parser = parser
        parser.ordered_attributes = True
        parser.buffer_text = True
        parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = self._located(self.start)
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.ProcessingInstructionHandler = self.left_out
        parser.SkippedEntityHandler = self.left_out
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self._located(self.entity)
        parser.AttlistDeclHandler = self.left_out  # default attributes: let expat add them
        parser.ElementDeclHandler = self.left_out
        parser.EndDoctypeDeclHandler = self._located(self.end_doctype)

    def _located(self, handler: Any) -> Any:
        """`handler`, its refusal carrying where expat was (the start of the event)."""
        def call(*args: Any) -> None:
            try:
                handler(*args)
            except _Refused as exc:
                exc.where = (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)
                raise
        return call

    def left_out(self, *_: Any) -> None:
        self.dirty = True

    def doctype(self, _name: str, _sys: str | None, _pub: str | None, internal: int) -> None:
        if internal:  # declarations the output will not carry (entities are expanded)
            self.dirty = True

    def entity(self, name: str, parameter: int, value: str | None, _base: str | None,
               system: str | None, public: str | None, notation: str | None) -> None:
        if parameter or value is None or system or public or notation:
            raise _Refused(L("它用 <!ENTITY> 引用了外部文件或参数实体",
                             "it declares an external or parameter entity (<!ENTITY>)"))
        if "&" in value or "%" in value:
            raise _Refused(L("它的 <!ENTITY> 实体里又套用了别的实体",
                             "an <!ENTITY> refers to another entity"))
        self.entities[name] = len(value)
        self.dirty = True

    def end_doctype(self) -> None:
        """Bound what expat is about to expand: every reference times its text."""
        if not self.entities:
            return
        text = self.data.decode("utf-16") if self.data[:2] in (b"\xff\xfe", b"\xfe\xff") \
            else self.data.decode("latin-1")
        added = sum(size * text.count(f"&{name};") for name, size in self.entities.items())
        if added > MAX_EXPANSION:
            raise _Refused(L(f"<!ENTITY> 实体展开后会增加 {added:,} 个字符，最多 "
                             f"{MAX_EXPANSION:,} 个",
                             f"its <!ENTITY> references would add {added:,} characters, at "
                             f"most {MAX_EXPANSION:,}"))

    def start(self, name: str, attributes: list[str]) -> None:
        self.depth += 1
        scope = dict(self.scopes[-1])
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if key == "xmlns":
                scope[""] = value
            elif key.startswith("xmlns:"):
                scope[key[6:]] = value
        self.scopes.append(scope)
        namespace, local = _resolve(name, scope, element=True)
        if not self.root_seen:
            self.root_seen = True
            if local == "svg" and not namespace:
                raise _Refused(L('最外层的 <svg> 标签缺少 xmlns="http://www.w3.org/2000/svg"',
                                 'its <svg> element lacks xmlns="http://www.w3.org/2000/svg"'))
            if (namespace, local) != (SVG_NS, "svg"):
                raise _Refused(L(f"它不是 SVG 图片（最外层的标签是 <{name}>）",
                                 f"it is not an SVG image (its root element is <{name}>)"))
        if self.skip or not _element_allowed(namespace, local, attributes, scope):
            self.skip += 1
            self.dirty = True
            return
        self._close_open_tag()
        kept = [f"<{name}"]
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if _attribute_allowed(local, key, value, scope):
                kept.append(f' {key}="{_escape(value, attribute=True)}"')
            else:
                self.dirty = True
        if local == "style" and namespace == SVG_NS and self.style is None:
            self.style = (len(self.out), self.depth, [])  # its text is checked at its end
        self.out.append("".join(kept))
        self.open_tag = True

    def end(self, name: str) -> None:
        self.depth -= 1
        self.scopes.pop()
        if self.skip:
            self.skip -= 1
            return
        if self.style is not None and self.style[1] == self.depth + 1:
            start, _, css = self.style
            self.style = None
            if not _css_allowed("".join(css)):
                del self.out[start:]  # the whole <style> element goes
                self.open_tag = False
                self.dirty = True
                return
        if self.open_tag:
            self.out.append("/>")
            self.open_tag = False
        else:
            self.out.append(f"</{name}>")

    def text(self, data: str) -> None:
        if self.skip or not self.depth:
            return
        self._close_open_tag()
        self.out.append(_escape(data, attribute=False))
        if self.style is not None:
            self.style[2].append(data)

    def _close_open_tag(self) -> None:
        if self.open_tag:
            self.out.append(">")
            self.open_tag = False

    def output(self) -> bytes:
        return ("".join(self.out) + "\n").encode("utf-8")


def _resolve(qname: str, scope: dict[str, str], *, element: bool) -> tuple[str, str]:
    """(namespace, local name) of an element or attribute name as written."""
    prefix, _, local = qname.rpartition(":")
    if not prefix:
        return (scope.get("", "") if element else ""), local
    if prefix not in scope:
        raise _Refused(L(f"名字 {qname} 的前缀 {prefix} 没有声明（缺少 xmlns:{prefix}）",
                         f"the prefix of {qname} is not declared (no xmlns:{prefix})"))
    return scope[prefix], local


def _element_allowed(namespace: str, local: str, attributes: list[str],
                     scope: dict[str, str]) -> bool:
    if namespace in _ACTIVE_NS:
        return False
    if namespace != SVG_NS:
        return True  # inert to a browser (editors' metadata)
    if local not in SVG_ELEMENTS:
        return False
    if local in _ANIMATIONS:
        # An animation may set an href to javascript: or an event attribute.
        for key, value in zip(attributes[::2], attributes[1::2], strict=True):
            if key == "attributeName":
                target = value.rpartition(":")[2].lower()
                if target == "href" or target.startswith("on"):
                    return False
    return True


def _attribute_allowed(element: str, key: str, value: str, scope: dict[str, str]) -> bool:
    if key == "xmlns" or key.startswith("xmlns:"):
        return True
    namespace, local = _resolve(key, scope, element=False)
    if local.lower().startswith("on"):
        return False  # an event handler
    if namespace == XML_NS and local == "base":
        return False  # would change what every relative link below it means
    if local == "href" and namespace in ("", XLINK_NS):
        return _href_allowed(element, value)
    if local == "style":
        return _css_allowed(value)
    return True


def _href_allowed(element: str, value: str) -> bool:
    url = _URL_JUNK.sub("", value).lower()
    if url.startswith("#"):
        return True
    if url.startswith("//"):
        return False  # another site
    if not _SCHEME.match(url):
        return True  # a file of this site
    if element == "a":
        return url.startswith(_LINK_SCHEMES)
    if element in ("image", "feImage"):
        return bool(_RASTER_DATA.match(url))
    return False


def _css_allowed(css: str) -> bool:
    squeezed = _URL_JUNK.sub("", _CSS_COMMENT.sub("", css)).lower().replace("\\", "")
    return not _CSS_ACTIVE.search(squeezed)


def _escape(text: str, *, attribute: bool) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = (text.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
                .replace("\r", "&#13;"))
    return text
