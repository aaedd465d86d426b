"""Open data: the stations as GeoJSON (RFC 7946, WGS-84) and CSV tables for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from site_builder.core.geo import to_wgs84
from site_builder.link.model import Item, Model

DATA_FILES = ("data/stations.geojson", "data/stations.csv", "data/alliances.csv",
              "data/enterprises.csv")


def open_data(model: Model) -> Iterator[tuple[str, bytes]]:
    """Yield (path, bytes) for every open-data file, in DATA_FILES order."""
    yield DATA_FILES[0], stations_geojson(model)
    yield DATA_FILES[1], _csv(
        ["slug", "name", "type", "address", "lat", "lon", "alliances", "hours", "phone",
         "services", "url"],
        ([s.slug, s.title, s["type"], s["address"], *_wgs(s), _joined(s.get("alliances", ())),
          s.get("hours", ""), s.get("phone", ""), _joined(s.get("services", ())),
          model.config.absolute(s.url)] for s in model.stations))
    yield DATA_FILES[2], _csv(
        ["slug", "name", "short_name", "province", "city", "district", "industries",
         "organization_type", "model", "chain_owner", "members", "stations", "url"],
        ([a.slug, a.title, a.get("short_name", ""), a["region"].get("province", ""),
          a["region"].get("city", ""), a["region"].get("district", ""),
          _joined(a["industries"]), a["organization"]["type"], a.get("model", ""),
          a.get("chain_owner", ""), len(model.members.get(a.slug, ())),
          len(model.stations_of.get(a.slug, ())), model.config.absolute(a.url)]
         for a in model.alliances))
    yield DATA_FILES[3], _csv(
        ["slug", "name", "short_name", "industry", "alliances", "roles", "segments",
         "party_org", "lat", "lon", "url"],
        ([e.slug, e.title, e.get("short_name", ""), e.get("industry", ""),
          ";".join(m.alliance.slug for m in model.memberships.get(e.slug, ())),
          ";".join(m.role for m in model.memberships.get(e.slug, ())),
          ";".join(m.segment for m in model.memberships.get(e.slug, ())),
          (e.get("party_org") or {}).get("type", ""),
          *(_wgs(e) if e.get("location") else ("", "")), model.config.absolute(e.url)]
         for e in model.enterprises))


def _wgs(item: Item) -> tuple[float, float]:
    loc = item["location"]
    lat, lon = to_wgs84(loc["lat"], loc["lon"], loc.get("coord_system", "wgs84"))
    return round(lat, 6), round(lon, 6)


def stations_geojson(model: Model) -> bytes:
    """A FeatureCollection of stations; RFC 7946 positions are [longitude, latitude]."""
    features: list[dict[str, Any]] = []
    for s in model.stations:
        lat, lon = _wgs(s)
        features.append({
            "type": "Feature",
            "id": s.slug,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "name": s.title, "type": s["type"], "address": s["address"],
                "alliances": list(s.get("alliances", ())), "hours": s.get("hours"),
                "phone": s.get("phone"), "services": list(s.get("services", ())),
                "url": model.config.absolute(s.url),
            },
        })
    doc = {"type": "FeatureCollection", "features": features}
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


# A cell a spreadsheet reads as a formula when it starts with one of these (OWASP, "CSV
# injection"): `=HYPERLINK("http://…?"&A2)` would send the table's data away, `@SUM(…)|cmd`
# run a program through DDE, in Excel and WPS alike.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """`text` as a cell no spreadsheet evaluates: a leading ' when it could start a formula.

    Only text goes through here. Numbers we write ourselves (coordinates, counts) stay
    numbers: a negative number is a value to a spreadsheet, never a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(value: Any) -> Any:
    return spreadsheet_text(value) if isinstance(value, str) else value


def _joined(values: Iterable[str]) -> str:
    """Several texts in one cell; each is neutralised too, since a spreadsheet set to split
    on ';' would make each a cell of its own."""
    return ";".join(spreadsheet_text(str(v)) for v in values)


def _csv(header: list[str], rows: Iterable[Iterable[Any]]) -> bytes:
    """CSV with a UTF-8 BOM, so spreadsheet programs in China open the Chinese correctly;
    every text cell as a spreadsheet must show it, not run it (see spreadsheet_text)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
