"""Pins and map blocks of the pages: every station and located member, and the maps of the map
page and of alliance, station and member pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from markupsafe import Markup

from site_builder.incremental.deps import (
    track,
)
from site_builder.link.model import Item
from site_builder.render.maps import (
    STATION_TYPE_NAMES,
    MapFragment,
    MapPoint,
    legend,
    make_point,
    nav_links,
)
from site_builder.render.tasks import PageTask


class PageMaps:
    """Every station and located member as a pin; the map blocks of pages."""

    # ---- maps -------------------------------------------------------------------------

    def _map_points(self) -> Mapping[tuple[str, str], MapPoint]:
        """One pin per station and per located member, in the provider's datum (each made
        when a page first needs it: a rebuild that renders a few pages makes a few)."""
        assert self.provider is not None
        alliance_index = {a.slug: i for i, a in enumerate(self.model.alliances)}
        sep = ", " if self.lang == "en" else "、"
        provider = self.provider

        def station(s: Item) -> MapPoint:
            return make_point(
                s["location"], provider, kind=STATION_TYPE_NAMES.index(s["type"]),
                name=s.title, url=s.url, address=s.get("address", ""),
                hours=s.get("hours", ""), services=sep.join(s.get("services", ())),
                alliances=tuple(alliance_index[a] for a in s.get("alliances", ())
                                if a in alliance_index))

        def member(e: Item) -> MapPoint:
            return make_point(e["location"], provider, kind=len(STATION_TYPE_NAMES),
                              name=e.title, url=e.url,
                              address=e["location"].get("address", ""))

        makers: dict[tuple[str, str], tuple[Callable[[Item], MapPoint], Item]] = {
            s.key: (station, s) for s in self.model.stations}
        makers.update((e.key, (member, e)) for e in self.model.enterprises
                      if e.get("location"))
        return _LazyPoints(makers)

    def _map_values(self, task: PageTask, root: str) -> dict[str, Any]:
        """The map (and navigation links) of a page that has one."""
        if self.provider is None:
            return {}
        item = task.item
        if task.path == "map/":
            track(self.model.stations, self.model.alliances)
            points = [self.points[s.key] for s in self.model.stations]
            options = {"filter": True, "locate": True, "cluster": True,
                       "alliances": [a.label for a in self.model.alliances]}
            fragment = self._map("all", points, root, options, "map-large",
                                 self.config.map.center, self.config.map.zoom)
            return {"map": fragment, "map_legend": self._legend(points)}
        if item is None or item.record_kind not in ("alliance", "station", "enterprise"):
            return {}
        if item.record_kind == "alliance":
            track(self.model.members.get(item.slug, ()),
                  self.model.stations_of.get(item.slug, ()))
            members = [self.points[m.enterprise.key]
                       for m in self.model.members.get(item.slug, ())
                       if m.enterprise.key in self.points]
            stations = [self.points[s.key] for s in self.model.stations_of.get(item.slug, ())]
            points = stations + members
            if not points:
                return {}
            options = {"filter": True, "locate": False, "cluster": len(points) > 30}
            fragment = self._map(item.slug, points, root, options, "map-medium")
            return {"map": fragment, "map_legend": self._legend(points)}
        point = self.points.get(item.key)
        if point is None:
            return {}
        options = {"filter": False, "locate": False, "cluster": False, "zoom": 15}
        fragment = self._map(item.slug, [point], root, options, "map-small")
        return {"map": fragment, "map_legend": self._legend([point]), "nav": nav_links(point)}

    def _map(self, name: str, points: list[MapPoint], root: str, options: dict[str, Any],
             size: str, center: tuple[float, float] | None = None,
             zoom: int | None = None) -> MapFragment:
        assert self.provider is not None
        labels = {key: self._t(f"map.{key}") for key in (
            "address", "hours", "services", "navigate", "amap", "baidu", "filter", "types",
            "alliances", "locate", "locating", "nearest", "locateFailed", "shown", "review",
            "region")}
        options = {**options, "labels": labels, "root": root,
                   "legend": legend(self.lang, True),
                   "stationKinds": len(STATION_TYPE_NAMES), "statusId": f"{name}-status"}
        assert self.maps is not None
        return self.maps.build(name.replace("-", "_"), points,
                               lambda asset: self.asset_url(asset, root), options, center,
                               zoom, size)

    def _legend(self, points: list[MapPoint]) -> dict[str, Any]:
        """What the page shows around the map: legend, credits and review number."""
        assert self.provider is not None
        full = legend(self.lang, True)
        # HTML: built-in attributions are ours (with links), a custom one escaped text.
        credits = Markup(self.provider.layers[0].attribution)
        return {"entries": [full[k] for k in sorted({p.kind for p in points})],
                "credits": credits, "review": self.provider.review_number}


class _LazyPoints(Mapping[tuple[str, str], MapPoint]):
    """Map points by item key, each made on first use."""

    def __init__(self, makers: dict[tuple[str, str],
                                    tuple[Callable[[Item], MapPoint], Item]]) -> None:
        self._makers = makers
        self._made: dict[tuple[str, str], MapPoint] = {}

    def __getitem__(self, key: tuple[str, str]) -> MapPoint:
        point = self._made.get(key)
        if point is None:
            make, item = self._makers[key]
            point = self._made[key] = make(item)
        return point

    def __contains__(self, key: object) -> bool:
        return key in self._makers

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)
