"""The chain diagram (产业链图谱): an inline SVG drawn at build time from the member list.

Segments run upstream → midstream → downstream with arrows between them, and the service
layer (服务) sits underneath as a band. Each member is a linked box, 链主 first and filled
red, 龙头企业 next with a red border. All words are real <text>, so they can be selected,
found with the browser's search and read by screen readers; nothing here needs a font file
or a script.

Two layouts: "vertical" (segments stacked, for phones; the default) and "horizontal"
(segments side by side, for wide screens and print). A page may include both and let CSS
show one. The small text helpers (`text_width`, `wrap_text`, `fit_text`, `attrs`) are shared
with `charts`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from site_builder.core.xmltext import escape
from site_builder.link.model import Item, Membership
from site_builder.render.chain import SERVICE, _Member, _Segment, _segments
from site_builder.render.i18n import enum_label, translate
from site_builder.render.svg import (
    ELLIPSIS,
    FONT_STACK,
    INK,
    attrs,
    baseline,
    el,
    num,
    text_el,
    text_width,
    wrap_text,
)

# The site's palette (assets/site.css).
RED = "#b3121b"
RED_DARK = "#8a0d14"
RED_TINT = "#fbeeee"
GOLD = "#c9a227"
GOLD_TINT = "#fdf6e3"
MUTED = "#5b6169"
LINE = "#e3e5e8"
BOX_LINE = "#c4c9cf"

SVG_NS = "http://www.w3.org/2000/svg"

# ---- text: measure, wrap, truncate, escape ---------------------------------------------


# ---- layout -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Geometry:
    width: float  # the viewBox width
    pad: float = 12  # inside a panel
    gap: float = 8  # between member boxes
    label_size: float = 15  # member names
    head_size: float = 15  # segment badge
    name_size: float = 14  # chain segment names
    name_line: float = 20
    line: float = 19  # member name line height
    box_min: float = 140  # narrowest member box
    single_upto: int = 1  # up to this many members: one column
    badge_h: float = 28
    box_h: float = 38  # one-line member box
    name_lines: int = 3  # lines per chain segment name before '…'
    label_lines: int = 2


VERTICAL = _Geometry(width=340, box_min=140, single_upto=1)
HORIZONTAL = _Geometry(width=880, box_min=112, single_upto=5)
WIDE_BAND = 500  # a panel at least this wide inside lays boxes out as a band
BAND_BOX = 160  # narrowest box in a band
ARROW_GAP = 34  # horizontal: room for the arrow between two columns
ARROW_V = 30  # vertical: room for the arrow between two panels
SERVICE_GAP = 22


class _Drawing:
    """Collects SVG elements; every panel is laid out at (x, y) with a given width."""

    def __init__(self, geo: _Geometry, href: Callable[[Item], str], lang: str) -> None:
        self.geo = geo
        self.href = href
        self.lang = lang
        self.parts: list[str] = []

    def segment_label(self, seg: str) -> str:
        label = enum_label(seg, self.lang)
        return label[:1].upper() + label[1:]

    def role_label(self, role: str) -> str:
        label = enum_label(role, self.lang)
        return label[:1].upper() + label[1:]

    # -- one segment panel --

    def panel(self, seg: _Segment, x: float, y: float, w: float,
              min_height: float = 0) -> float:
        """Draw one segment at (x, y), `w` wide; returns its height."""
        g = self.geo
        service = seg.segment == SERVICE
        body: list[str] = []
        # Heading: a badge with the segment's name, the chain's names beside it.
        label = self.segment_label(seg.segment)
        badge_w = text_width(label, g.head_size, bold=True) + 22
        bx, by = x + g.pad, y + g.pad
        body.append(el("rect", x=bx, y=by, width=badge_w, height=float(g.badge_h), rx=4.0,
                       fill=GOLD if service else RED))
        body.append(text_el(bx + badge_w / 2, baseline(by + g.badge_h / 2, g.head_size), label,
                            g.head_size, INK if service else "#fff", bold=True,
                            anchor="middle"))
        nx = bx + badge_w + 10
        name_w = x + w - g.pad - nx
        beside = [wrap_text(n, name_w, g.name_size, g.name_lines, balance=True)
                  for n in seg.names]
        if sum(map(len, beside)) > 2:  # long names: below the badge, across the panel
            nx, name_w = x + g.pad, w - 2 * g.pad
            ny = by + g.badge_h + 6
            wrapped_names = [wrap_text(n, name_w, g.name_size, g.name_lines + 1, balance=True)
                             for n in seg.names]
        else:
            ny = by + g.badge_h / 2 - g.name_line / 2  # first line centred on the badge
            wrapped_names = beside
        lines = 0
        for name, wrapped in zip(seg.names, wrapped_names, strict=True):
            for i, line in enumerate(wrapped):
                shortened = i == len(wrapped) - 1 and line.endswith(ELLIPSIS)
                body.append(text_el(nx, baseline(ny + g.name_line * (lines + 0.5), g.name_size),
                                    line, g.name_size, INK,
                                    title=name if shortened else None))
                lines += 1
        head_h = max(g.badge_h, ny - by + g.name_line * lines)
        cy = by + head_h + 12
        inner_x, inner_w = x + g.pad, w - 2 * g.pad
        if not seg.members:
            body.append(text_el(inner_x, baseline(cy + 10, g.name_size),
                                translate("none_yet", self.lang), g.name_size, MUTED))
            cy += 20
        start = len(self.parts)  # member links are drawn into self.parts: move them inside
        owners = [m for m in seg.members if m.kind == "owner"]
        rest = [m for m in seg.members if m.kind != "owner"]
        for m in owners:
            cy += self.owner_box(m, inner_x, cy, inner_w) + g.gap
        if rest:
            cy += self.grid(rest, inner_x, cy, inner_w, service) + g.gap
        height = max(cy - g.gap + g.pad - y, min_height)
        frame = el("rect", x=x + 0.5, y=y + 0.5, width=w - 1, height=height - 1, rx=10.0,
                   fill=GOLD_TINT if service else "#fff", stroke=GOLD if service else LINE,
                   stroke_width="1")
        r, x0, x1, y0 = 9, x + 1.5, x + w - 1.5, y + 1.5
        top = (f"M{num(x0)} {num(y0 + r)}A{r} {r} 0 0 1 {num(x0 + r)} {num(y0)}"
               f"H{num(x1 - r)}A{r} {r} 0 0 1 {num(x1)} {num(y0 + r)}")
        accent = el("path", d=top, fill="none", stroke=GOLD if service else RED,
                    stroke_width="3")
        links = "".join(self.parts[start:])
        del self.parts[start:]
        self.parts.append(el("g", frame + accent + "".join(body) + links, class_="seg",
                             data_segment=seg.segment))
        return height

    def columns(self, n: int, width: float) -> int:
        """How many boxes side by side: a wide band keeps boxes of one size (left-aligned);
        a narrow column uses one box a row for a few members, more when there are many."""
        g = self.geo
        if width >= WIDE_BAND:
            return max(1, int((width + g.gap) // (BAND_BOX + g.gap)))
        fit = max(1, int((width + g.gap) // (g.box_min + g.gap)))
        if n <= g.single_upto:
            return 1
        return max(1, min(n, fit))

    def grid(self, members: list[_Member], x: float, y: float, w: float,
             service: bool) -> float:
        """Member boxes in rows; returns the grid's height."""
        g = self.geo
        cols = self.columns(len(members), w)
        box_w = (w - g.gap * (cols - 1)) / cols
        text_w = box_w - 16
        cy = y
        for start in range(0, len(members), cols):
            row = members[start:start + cols]
            wrapped = [wrap_text(m.item.label, text_w, g.label_size, g.label_lines,
                                 bold=m.kind == "leader", balance=True) for m in row]
            lines = max(len(w_) for w_ in wrapped)
            box_h = g.box_h + g.line * (lines - 1)
            for i, (m, label_lines) in enumerate(zip(row, wrapped, strict=True)):
                bx = x + i * (box_w + g.gap)
                self.box(m, bx, cy, box_w, box_h, label_lines, service)
            cy += box_h + g.gap
        return cy - g.gap - y

    def box(self, m: _Member, x: float, y: float, w: float, h: float, lines: list[str],
            service: bool) -> None:
        g = self.geo
        leader = m.kind == "leader"
        rect = attrs(class_="box", x=x + 1, y=y + 1, width=w - 2, height=h - 2, rx=6.0,
                     fill="#fff" if service or leader else "#fafafa",
                     stroke=RED if leader else BOX_LINE,
                     stroke_width="2" if leader else "1")
        first = y + h / 2 - g.line * (len(lines) - 1) / 2
        texts = "".join(
            text_el(x + w / 2, baseline(first + i * g.line, g.label_size), line, g.label_size,
                    RED_DARK if leader else INK, bold=leader, anchor="middle")
            for i, line in enumerate(lines))
        self.parts.append(self.link(m, f"<rect{rect}/>{texts}", joined(lines, m.item.label)))

    def owner_box(self, m: _Member, x: float, y: float, w: float) -> float:
        """The 链主: a full-width red box with a gold role tag; returns its height."""
        g = self.geo
        tag = self.role_label(m.role)
        tag_w = text_width(tag, 14, bold=True) + 16
        text_w = w - 24 - tag_w - 10
        lines = wrap_text(m.item.label, text_w, g.label_size + 1, g.label_lines, bold=True,
                          balance=True)
        h = g.box_h + 6 + g.line * (len(lines) - 1)
        first = y + h / 2 - g.line * (len(lines) - 1) / 2
        parts = [el("rect", class_="box", x=x, y=y, width=w, height=h, rx=6.0, fill=RED,
                    stroke=RED_DARK, stroke_width="1")]
        parts.extend(text_el(x + 12, baseline(first + i * g.line, g.label_size + 1), line,
                             g.label_size + 1, "#fff", bold=True)
                     for i, line in enumerate(lines))
        tx = x + w - 10 - tag_w
        parts.append(el("rect", x=tx, y=y + h / 2 - 12, width=tag_w, height=24.0, rx=12.0,
                        fill=GOLD))
        parts.append(text_el(tx + tag_w / 2, baseline(y + h / 2, 14), tag, 14, INK, bold=True,
                             anchor="middle"))
        self.parts.append(self.link(m, "".join(parts), f"{joined(lines, m.item.label)} {tag}"))
        return h

    def link(self, m: _Member, inner: str, shown: str) -> str:
        """A box's link. Its accessible name starts with the words the box shows (`shown`,
        a short name perhaps cut with …), so a voice-control user can say what they see
        (WCAG 2.5.3); the full name and role follow."""
        name = m.item.title
        role = self.role_label(m.role)
        full = f"{name}（{role}）" if self.lang != "en" else f"{name} ({role})"
        label = full if shown == name else (
            f"{shown}，{full}" if self.lang != "en" else f"{shown}, {full}")
        kind = {"owner": "m m-owner", "leader": "m m-leader"}.get(m.kind, "m")
        # No <title> inside the link: its text would count as shown text, and a name that
        # does not contain it fails WCAG 2.5.3 (axe label-content-name-mismatch).
        return el("a", inner, href=self.href(m.item), class_=kind, aria_label=label)

    # -- connectors and legend --

    def arrow_down(self, cx: float, y0: float, y1: float) -> None:
        shaft = f"M{num(cx)} {num(y0)}V{num(y1 - 9)}"
        head = f"M{num(cx - 8)} {num(y1 - 11)}H{num(cx + 8)}L{num(cx)} {num(y1)}Z"
        self.parts.append(el("path", d=shaft, stroke=GOLD, stroke_width="3", fill="none")
                          + el("path", d=head, fill=GOLD))

    def arrow_right(self, x0: float, x1: float, cy: float) -> None:
        shaft = f"M{num(x0)} {num(cy)}H{num(x1 - 9)}"
        head = f"M{num(x1 - 11)} {num(cy - 8)}V{num(cy + 8)}L{num(x1)} {num(cy)}Z"
        self.parts.append(el("path", d=shaft, stroke=GOLD, stroke_width="3", fill="none")
                          + el("path", d=head, fill=GOLD))

    def legend(self, kinds: set[str], y: float) -> float:
        """Swatches for the roles drawn; flows onto more rows when narrow. Returns height."""
        if not kinds & {"owner", "leader"}:
            return 0
        entries = []
        if "owner" in kinds:
            entries.append(("owner", self.role_label("链主")))
        if "leader" in kinds:
            entries.append(("leader", self.role_label("龙头企业")))
        if "other" in kinds:
            entries.append(("other", _OTHERS[self.lang == "en"]))
        size, row_h = 14, 24
        x, cy, width = 0.0, y, self.geo.width
        out = []
        for kind, label in entries:
            item_w = 22 + 6 + text_width(label, size)
            if x > 0 and x + item_w > width:
                x, cy = 0.0, cy + row_h
            fill, stroke, sw = {"owner": (RED, RED_DARK, "1"), "leader": ("#fff", RED, "2"),
                                "other": ("#fafafa", BOX_LINE, "1")}[kind]
            out.append(el("rect", x=x + 1, y=cy + 5, width=20.0, height=14.0, rx=3.0,
                          fill=fill, stroke=stroke, stroke_width=sw))
            out.append(text_el(x + 28, baseline(cy + 12, size), label, size, MUTED))
            x += item_w + 18
        self.parts.append(el("g", "".join(out), class_="legend"))
        return cy + row_h - y


_OTHERS = ("其他成员单位", "Other members")


# ---- the diagram ------------------------------------------------------------------------

def chain_svg(alliance: Item, members: Sequence[Membership], href: Callable[[Item], str],
              lang: str, title_id: str, *, layout: str = "vertical") -> str:
    """The alliance's chain diagram as an inline <svg>, or "" when it has no members.

    `members` are the alliance's memberships (model.members[slug]); `href(enterprise)` gives
    the link to an enterprise page relative to the current page; `title_id` must be unique
    in the page (the svg's <title> gets it, its <desc> gets title_id + "-desc").
    `layout` is "vertical" (phones) or "horizontal" (wide screens and print).
    """
    if not members:
        return ""
    if layout not in ("vertical", "horizontal"):
        raise ValueError(f"unknown layout {layout!r}")
    segments = _segments(alliance, members)
    geo = VERTICAL if layout == "vertical" else HORIZONTAL
    d = _Drawing(geo, href, lang)
    main = [s for s in segments if s.segment != SERVICE]
    service = [s for s in segments if s.segment == SERVICE]
    y = 0.0
    if layout == "vertical":
        for i, seg in enumerate(main):
            if i:
                d.arrow_down(geo.width / 2, y + 4, y + ARROW_V - 4)
                y += ARROW_V
            y += d.panel(seg, 0, y, geo.width)
    elif main:
        col_w = (geo.width - ARROW_GAP * (len(main) - 1)) / len(main)
        heights = [_measure(geo, href, lang, s, col_w) for s in main]
        tallest = max(heights)
        for i, seg in enumerate(main):
            x = i * (col_w + ARROW_GAP)
            if i:
                d.arrow_right(x - ARROW_GAP + 6, x - 6, y + geo.pad + geo.badge_h / 2)
            d.panel(seg, x, y, col_w, tallest)
        y += tallest
    for seg in service:
        if y:
            y += SERVICE_GAP
        y += d.panel(seg, 0, y, geo.width)
    kinds = {_Member(m.enterprise, m.role).kind for m in members}
    y += 14
    y += d.legend(kinds, y)
    height = y + 2
    return _wrap_svg(d.parts, geo.width, height, layout, title_id,
                     _title(alliance, lang), _describe(alliance, segments, lang))


def _measure(geo: _Geometry, href: Callable[[Item], str], lang: str, seg: _Segment,
             width: float) -> float:
    return _Drawing(geo, href, lang).panel(seg, 0, 0, width)


def _title(alliance: Item, lang: str) -> str:
    sep = ": " if lang == "en" else "·"
    return f"{alliance.label}{sep}{translate('alliance.chain', lang)}"


def _describe(alliance: Item, segments: list[_Segment], lang: str) -> str:
    """One sentence: how many members in how many segments, and who the chain owner is."""
    filled = [s for s in segments if s.members]
    count = sum(len(s.members) for s in filled)
    owner_slug = alliance.get("chain_owner")
    everyone = [m for s in filled for m in s.members]
    owners = [m.item.title for m in everyone if m.item.slug == owner_slug] or \
        [m.item.title for m in everyone if m.role == "链主"]
    if lang == "en":
        names = ", ".join(enum_label(s.segment, lang) for s in filled)
        text = (f"{count} member{'s' if count != 1 else ''} in {len(filled)} "
                f"segment{'s' if len(filled) != 1 else ''} ({names})")
        return text + (f"; chain owner: {', '.join(owners)}." if owners else ".")
    names = "、".join(s.segment for s in filled)
    text = f"{count} 家成员单位分布在{names} {len(filled)} 个环节"
    return text + (f"，链主为{'、'.join(owners)}。" if owners else "。")


def _wrap_svg(parts: Iterable[str], width: float, height: float, layout: str, title_id: str,
              title: str, desc: str) -> str:
    head = (el("title", escape(title), id=title_id)
            + el("desc", escape(desc), id=f"{title_id}-desc"))
    return el("svg", head + "".join(parts), xmlns=SVG_NS,
              class_=f"chain-svg chain-svg-{layout}",
              viewBox=f"0 0 {num(width)} {num(height)}", width="100%", role="group",
              aria_labelledby=title_id, aria_describedby=f"{title_id}-desc",
              font_family=FONT_STACK)


def joined(lines: list[str], text: str) -> str:
    """A box's wrapped lines as one text, with the space `text` had where a line broke."""
    out = ""
    for line in lines:
        if out and f"{out.split()[-1]} {line.split()[0] if line.split() else ''}" in text:
            out += " "
        out += line
    return out
