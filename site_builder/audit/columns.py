"""Empty columns (空白栏目): navigation entries and section pages with nothing in them."""

from __future__ import annotations

from collections.abc import Iterator

from site_builder.audit.findings import Finding
from site_builder.link.model import Model

FAIL_AT = 5  # empty columns that fail an inspection


def _sections(model: Model) -> dict[str, tuple[str, int]]:
    """Each section page's path → (its name, how many things it lists)."""
    return {
        "alliances/": ("产业链联盟", len(model.alliances)),
        "enterprises/": ("成员单位", len(model.enterprises)),
        "stories/": ("案例故事", len(model.stories)),
        "stations/": ("党建阵地", len(model.stations)),
        "listings/": ("三张清单", len(model.listings)),
        "map/": ("阵地地图", len(model.stations)),
        "tags/": ("标签", len(model.terms.get("tags", ()))),
        "industries/": ("产业", len(model.terms.get("industries", ()))),
        "regions/": ("地区", len(model.terms.get("regions", ()))),
    }


def check_columns(model: Model) -> Iterator[Finding]:
    """Every column an inspector can reach that lists nothing; 严重 from five on."""
    sections = _sections(model)
    empty: dict[str, str] = {}
    for path, (name, count) in sections.items():
        if count == 0:
            empty[path] = name
    for entry in model.config.nav:  # a navigation entry to a free page with no text
        path = entry.url.strip("/") + "/"
        page = next((p for p in model.pages if p.url == path), None)
        if page is not None and not (page.body or "").strip():
            empty[path] = entry.title
    for page in model.pages:
        if page.get("nav_weight") is not None and not (page.body or "").strip():
            empty[page.url] = page.title
    for path, name in sorted(empty.items()):
        yield Finding("empty-column", None, None, None, {"column": name, "path": "/" + path})
    if len(empty) >= FAIL_AT:
        yield Finding("empty-columns", None, None, None, {"count": len(empty)})
