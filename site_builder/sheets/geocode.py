"""Optional: coordinates for rows with an address and none, from 天地图's geocoder.

Only `import --geocode` calls it, never a build or CI. 天地图 answers in CGCS2000, which
agrees with WGS-84 to within centimetres, so the point is stored as wgs84; the match level
goes to `extra.geocode_level` so a reader of the file sees how sure it is."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from site_builder.core.diagnostics import Report
from site_builder.sheets.records import Draft

DEFAULT_URL = "http://api.tianditu.gov.cn/geocoder"
# Levels that name a building or a door: anything coarser is listed for review.
PRECISE_LEVELS = {"门址", "门牌号", "兴趣点", "地名地址", "楼号", "单元号", "POI", "poi"}
_TIMEOUT = 10


def tianditu_key(site_dir: Path) -> str | None:
    """The key from SITE_BUILDER_TIANDITU_KEY, else site.yaml's map.tianditu_key."""
    key = os.environ.get("SITE_BUILDER_TIANDITU_KEY")
    if key:
        return key
    try:
        site = yaml.safe_load((site_dir / "content" / "site.yaml").read_text(encoding="utf-8"))
        found = (site or {}).get("map", {}).get("tianditu_key")
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    return str(found) if found else None


def lookup(address: str, key: str, url: str) -> tuple[float, float, str]:
    """(lat, lon, level) of an address; raises ValueError with the reason."""
    query = urllib.parse.urlencode({"ds": json.dumps({"keyWord": address}, ensure_ascii=False),
                                    "tk": key})
    try:
        with urllib.request.urlopen(f"{url}?{query}", timeout=_TIMEOUT) as answer:
            body: Any = json.loads(answer.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ValueError(f"服务器拒绝了请求（HTTP {exc.code}）") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise ValueError(f"连不上地理编码服务（{exc}）") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError("服务器的回答不是 JSON") from exc
    if not isinstance(body, dict) or str(body.get("status")) != "0":
        msg = body.get("msg", "") if isinstance(body, dict) else ""
        raise ValueError(f"服务器回答失败（{msg or '没有结果'}）")
    loc = body.get("location") or {}
    try:
        return float(loc["lat"]), float(loc["lon"]), str(loc.get("level", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("回答里没有经纬度") from exc


def make_geocoder(key: str | None, url: str | None = None
                  ) -> Callable[[list[tuple[Draft, bool]], Report], None]:
    """The plan's geocode step: fill each draft that has an address and no point."""
    endpoint = url or os.environ.get("SITE_BUILDER_GEOCODER_URL") or DEFAULT_URL

    def geocode(drafts: list[tuple[Draft, bool]], report: Report) -> None:
        for draft, has_point in drafts:
            if has_point or ("location", "lat") in draft.values \
                    or ("location", "lon") in draft.values:
                continue
            path = ("address",) if draft.kind == "station" else ("location", "address")
            address = draft.values.get(path)
            if not address:
                continue
            cell = draft.cells[path]
            if not key:
                report.emit("sheet-geocode-failed", cell, address=address,
                            problem="没有天地图密钥")
                continue
            try:
                lat, lon, level = lookup(str(address), key, endpoint)
            except ValueError as exc:
                report.emit("sheet-geocode-failed", cell, address=address, problem=str(exc))
                continue
            for axis, value in (("lat", round(lat, 6)), ("lon", round(lon, 6)),
                                ("coord_system", "wgs84")):
                draft.values[("location", axis)] = value
                draft.cells[("location", axis)] = cell
            draft.values[("extra", "geocode_level")] = level
            draft.cells[("extra", "geocode_level")] = cell
            if level not in PRECISE_LEVELS:
                report.emit("sheet-geocode-coarse", cell, address=address, level=level or "?")

    return geocode
