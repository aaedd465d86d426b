"""A small bar chart of an alliance's key figures, drawn at build time as an inline SVG.

Figures count different things in different units, so one scale for all would mislead.
Figures are grouped by unit ('家', '个', '亿元' …; qualifiers such as 余 or 以上 are set
aside for grouping but kept in the labels), and only a unit shared by two or more figures
gets bars, each group on its own scale starting at zero. A chart with more than one group
says so in a note. The figure cards stay on the page as the text alternative.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from site_builder.core.xmltext import escape
from site_builder.render.diagram import INK, LINE, MUTED, RED, RED_DARK, SVG_NS
from site_builder.render.i18n import format_number
from site_builder.render.svg import FONT_STACK, baseline, el, num, text_el, text_width, wrap_text

WIDTH = 340  # viewBox width: 14-unit text stays ≥ 13 px on a 360 px phone
SIZE = 14
LINE_H = 19
BAR_H = 16
VALUE_GAP = 6

# Words around a unit that say "about", "more than": not part of the unit itself.
_PREFIX = re.compile(r"^(近|约|逾|超过|超|多达|达|余|多)")
_SUFFIX = re.compile(r"(余|多|以上|左右|以内|强)$")


def base_unit(unit: str) -> str:
    """'余家' → '家', '亿元以上' → '亿元', '%以上' → '%': the unit figures are grouped by."""
    text = "".join(str(unit).split())
    while True:
        stripped = _SUFFIX.sub("", _PREFIX.sub("", text))
        if stripped == text or not stripped:
            return stripped or text
        text = stripped


@dataclass(frozen=True)
class _Bar:
    label: str
    value: float
    shown: str  # value and unit as written: '300余个'
    as_of: str


def _figures(stats: Sequence[Mapping[str, Any]], lang: str) -> list[tuple[str, list[_Bar]]]:
    """Figures grouped by unit, in the order units first appear; units without a number
    or with a negative value are left out (a bar from zero could not show them honestly)."""
    groups: dict[str, list[_Bar]] = {}
    broken: set[str] = set()
    for s in stats:
        value, unit = s.get("value"), str(s.get("unit") or "").strip()
        if not unit or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        key = base_unit(unit)
        if value < 0:
            broken.add(key)
            continue
        as_of = s.get("as_of")
        date = as_of.format(lang) if hasattr(as_of, "format") and as_of else str(as_of or "")
        groups.setdefault(key, []).append(
            _Bar(str(s.get("label") or ""), float(value), format_number(value, lang) + unit,
                 date))
    return [(unit, bars) for unit, bars in groups.items()
            if unit not in broken and len(bars) >= 2 and max(b.value for b in bars) > 0]


def stats_chart_svg(stats: Sequence[Mapping[str, Any]], lang: str, title: str, *,
                    chart_id: str = "figures-chart") -> str:
    """Bars for the figures that share a unit with another figure; "" when none do.

    `stats` is the alliance's `stats` list; `title` names the chart (its <title>);
    `chart_id` must be unique in the page (ids of the <title> and <desc>).
    """
    groups = _figures(stats, lang)
    if not groups:
        return ""
    en = lang == "en"
    parts: list[str] = []
    y = 0.0
    for n, (unit, bars) in enumerate(groups):
        if n:
            y += 10
            parts.append(el("path", d=f"M0 {num(y)}H{WIDTH}", stroke=LINE, stroke_width="1"))
            y += 16
        y = _group(parts, unit, bars, y, en)
    notes = []
    if len(groups) > 1:
        notes.append("Each unit is drawn on its own scale; compare bars only within a unit."
                     if en else "注：各单位分别按本组最大值绘制，只在同一单位内比较长短。")
    shown = sum(len(b) for _, b in groups)
    left = len(stats) - shown
    if left:
        notes.append(f"{left} other figure{'s' if left != 1 else ''} (no shared unit) "
                     "are in the figure cards, not charted." if en else
                     f"另有 {left} 项数据没有可比的同单位数据，见数据卡片，未绘入图中。")
    for note in notes:
        y += 8
        for line in wrap_text(note, WIDTH, 14):
            parts.append(text_el(0, baseline(y + LINE_H / 2, 14), line, 14, MUTED))
            y += LINE_H
    height = y + 4
    desc = _describe(groups, en)
    head = (el("title", escape(title), id=f"{chart_id}-title")
            + el("desc", escape(desc), id=f"{chart_id}-desc"))
    return el("svg", head + "".join(parts), xmlns=SVG_NS, class_="stats-chart",
              viewBox=f"0 0 {WIDTH} {num(height)}", width="100%", role="img",
              aria_labelledby=f"{chart_id}-title", aria_describedby=f"{chart_id}-desc",
              font_family=FONT_STACK)


def _group(parts: list[str], unit: str, bars: list[_Bar], y: float, en: bool) -> float:
    """One unit's bars, largest first, on a scale from zero to the largest; returns new y."""
    heading = f"Unit: {unit}" if en else f"单位：{unit}"
    parts.append(el("rect", x=0.0, y=y + 3, width=4.0, height=14.0, fill=RED))
    parts.append(text_el(10, baseline(y + 10, 15), heading, 15, INK, bold=True))
    y += 28
    dated = len({b.as_of for b in bars}) > 1  # different dates: say which bar is when
    ordered = sorted(bars, key=lambda b: -b.value)  # stable: ties keep the content order
    value_w = max(text_width(b.shown, SIZE, bold=True) for b in ordered)
    full = WIDTH - value_w - VALUE_GAP - 1
    top = max(b.value for b in ordered)
    for b in ordered:
        label = f"{b.label}（{b.as_of}）" if dated and b.as_of and not en else \
            f"{b.label} ({b.as_of})" if dated and b.as_of else b.label
        for line in wrap_text(label, WIDTH, SIZE, 2, balance=True):
            parts.append(text_el(0, baseline(y + LINE_H / 2, SIZE), line, SIZE, INK,
                                 title=label if line.endswith("…") else None))
            y += LINE_H
        length = max(full * b.value / top, 2.0 if b.value > 0 else 0.0)
        parts.append(el("rect", class_="bar", x=0.0, y=y + 2, width=length,
                        height=float(BAR_H), rx=2.0, fill=RED))
        parts.append(text_el(length + VALUE_GAP, baseline(y + 2 + BAR_H / 2, SIZE), b.shown,
                             SIZE, RED_DARK, bold=True))
        y += BAR_H + 12
    return y


def _describe(groups: list[tuple[str, list[_Bar]]], en: bool) -> str:
    if en:
        return " ".join(
            f"In {unit}: " + ", ".join(f"{b.label} {b.shown}"
                                       for b in sorted(bars, key=lambda b: -b.value)) + "."
            for unit, bars in groups)
    return "".join(
        f"以“{unit}”计：" + "，".join(f"{b.label}{b.shown}"
                                  for b in sorted(bars, key=lambda b: -b.value)) + "。"
        for unit, bars in groups)
