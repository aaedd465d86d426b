"""Positions as staff paste them (from 高德, 百度, a GPS app, a document in 度分秒), read as
(lat, lon), and moved between the datums maps in China use.

No conversion happens while reading: the numbers stay in the datum of the map they were
copied from, which the form asks for (SOURCES); `convert` moves them afterwards.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from site_builder.core import geo
from site_builder.workbench.inputerror import InputError

# Where a pasted pair came from → (its datum, the label a form shows). A content file stores
# wgs84 or gcj02 (location.coord_system); a 百度 pair is converted (see content_datum).
SOURCES: dict[str, tuple[str, str]] = {
    "gaode": ("gcj02", "高德地图、腾讯地图"),
    "baidu": ("bd09", "百度地图"),
    "gps": ("wgs84", "GPS、天地图、奥维"),
}
DATUMS = ("wgs84", "gcj02", "bd09")
CONTENT_DATUMS = ("wgs84", "gcj02")  # what location.coord_system accepts
_DECIMALS = 6  # about 0.1 m: a file should not get 15 digits

# China's extent, used only to tell which number of a bare pair is which.
_CHINA_LAT = (3.0, 54.0)
_CHINA_LON = (73.0, 136.0)

_NUM = r"\d+(?:\.\d+)?"
# A label before the number: a hemisphere letter, 北纬/东经…, or 纬度:/经度:/lat:/lng:.
_PRE = (r"(?:(?P<{0}pre>[NSEW]|北纬|南纬|东经|西经|纬度|经度|LATITUDE|LONGITUDE|LAT|LNG|LON)"
        r"\s*:?\s*)?")
_DMS = (r"(?P<{0}sign>[-+])?\s*(?P<{0}deg>" + _NUM + r")\s*(?:(?P<{0}dmark>[°度])\s*"
        r"(?:(?P<{0}min>" + _NUM + r")\s*['′分]\s*"
        r"(?:(?P<{0}sec>" + _NUM + r")\s*(?:\"|″|′′|''|秒))?)?)?")
# A letter after the number, only when none came before it (N31 E120: E labels the second).
_POST = r"(?({0}pre)|\s*(?P<{0}post>[NSEW])?)"
# Between the two: a comma, semicolon, 、 or slash; or spaces; or nothing next to a mark
# (31°34′13″N120°20′5″E, E120.3N31.4), never between two bare digits.
_BETWEEN = r"(?:\s*[,;、/]\s*|\s+|(?<=[NSEW\"'′分秒°度])|(?=[NSEW北南东西纬经]))"
_PAIR = re.compile("".join(p.format("a") for p in (_PRE, _DMS, _POST)) + _BETWEEN
                   + "".join(p.format("b") for p in (_PRE, _DMS, _POST)))

_ONE = re.compile("".join(p.format("a") for p in (_PRE, _DMS, _POST)))

_AXIS = {"N": "lat", "S": "lat", "北纬": "lat", "南纬": "lat", "纬度": "lat", "LAT": "lat",
         "LATITUDE": "lat", "E": "lon", "W": "lon", "东经": "lon", "西经": "lon",
         "经度": "lon", "LON": "lon", "LNG": "lon", "LONGITUDE": "lon"}
_NEGATIVE = {"S", "W", "南纬", "西经"}

_HOW_ZH = ("请从高德或百度地图复制“经度,纬度”，例如 120.37,31.49；"
           "也可以写成 31°34′13″N 120°20′5″E 或 北纬31.57 东经120.33。")
_HOW_EN = ("Copy 'longitude,latitude' from 高德 or 百度 maps, e.g. 120.37,31.49; or write "
           "31°34′13″N 120°20′5″E, or 北纬31.57 东经120.33.")


class PositionError(InputError):
    """What was pasted is not a position."""


@dataclass(frozen=True)
class _Part:
    value: float
    axis: str | None  # "lat", "lon", or None when nothing says


def parse_position(text: str, source: str = "auto") -> tuple[float, float]:
    """Read a pasted pair as (lat, lon), in the datum of `source` (a key of SOURCES, a
    datum, or "auto" when the form does not know): reading never converts."""
    if source != "auto" and source not in SOURCES and source not in DATUMS:
        raise ValueError(f"unknown source {source!r}")  # the caller's mistake, not staff's
    typed = text.strip()
    # NFKC: full-width digits and ，：； become ASCII; ″ becomes ′′. Letters: n, e as N, E.
    norm = unicodedata.normalize("NFKC", typed).upper()
    match = _PAIR.fullmatch(norm)
    if not typed:
        raise PositionError(f"没有填写位置。{_HOW_ZH}", f"The position is empty. {_HOW_EN}")
    if match is None and _ONE.fullmatch(norm):
        raise PositionError(f"“{typed}”只有一个数，位置要经度和纬度两个数。{_HOW_ZH}",
                            f"'{typed}' is one number; a position needs a longitude and a "
                            f"latitude. {_HOW_EN}")
    if match is None:
        raise PositionError(f"“{typed}”看不出是一对经纬度。{_HOW_ZH}",
                            f"'{typed}' does not read as a longitude and latitude. {_HOW_EN}")
    first, second = _part(match, "a", typed), _part(match, "b", typed)
    lat, lon = _assign(first, second, typed)
    if not -90 <= lat <= 90:
        raise PositionError(
            f"“{typed}”里的纬度 {lat:g} 超出了范围：纬度在 -90 到 90 之间。{_HOW_ZH}",
            f"The latitude {lat:g} in '{typed}' is out of range (-90 to 90). {_HOW_EN}")
    if not -180 <= lon <= 180:
        raise PositionError(
            f"“{typed}”里的经度 {lon:g} 超出了范围：经度在 -180 到 180 之间。{_HOW_ZH}",
            f"The longitude {lon:g} in '{typed}' is out of range (-180 to 180). {_HOW_EN}")
    return lat, lon


def _part(match: re.Match[str], g: str, typed: str) -> _Part:
    """One number of the pair: its value in degrees and the axis its label names."""
    label = match[g + "pre"] or match[g + "post"]
    deg = float(match[g + "deg"])
    minutes, seconds = match[g + "min"], match[g + "sec"]
    if minutes is not None:
        if not deg.is_integer() or float(minutes) >= 60 or float(seconds or 0) >= 60:
            raise PositionError(
                f"“{typed}”里的度分秒不对：分和秒要小于 60，有分秒时度是整数。{_HOW_ZH}",
                f"The degrees, minutes and seconds in '{typed}' are wrong: minutes and "
                f"seconds are below 60, and degrees are whole when minutes follow. {_HOW_EN}")
        deg += float(minutes) / 60 + float(seconds or 0) / 3600
    negative = (match[g + "sign"] == "-") != (label in _NEGATIVE)
    return _Part(-deg if negative else deg, _AXIS[label] if label else None)


def _assign(first: _Part, second: _Part, typed: str) -> tuple[float, float]:
    """(lat, lon) from the two numbers: by their labels, else by China's extent."""
    if first.axis and second.axis and first.axis == second.axis:
        word = "纬度" if first.axis == "lat" else "经度"
        raise PositionError(f"“{typed}”里两个数都标成了{word}，少了另一个。{_HOW_ZH}",
                            f"Both numbers in '{typed}' are labelled {first.axis}. {_HOW_EN}")
    if first.axis or second.axis:
        lat_first = first.axis == "lat" or second.axis == "lon"
    else:
        lat_first = _lat_first(first.value, second.value, typed)
    return (first.value, second.value) if lat_first else (second.value, first.value)


def _lat_first(a: float, b: float, typed: str) -> bool:
    """Whether a bare pair is latitude first: 高德 and 百度 give longitude first, so
    latitude first is taken only when nothing else fits a place in China."""
    if abs(a) > 90 or (_within(a, _CHINA_LON) and _within(b, _CHINA_LAT)):
        return False  # the first can only be a longitude, or the pair fits China that way
    if _within(a, _CHINA_LAT) and _within(b, _CHINA_LON):
        return True
    raise PositionError(
        f"“{typed}”看不出哪一个是经度、哪一个是纬度（在中国，经度约 73 到 136，纬度约 3 到 54）。"
        f"{_HOW_ZH}如果地点在中国以外，请在数字后写上 N/S 和 E/W。",
        f"Cannot tell which number of '{typed}' is the longitude (in China longitudes are "
        f"about 73 to 136, latitudes 3 to 54). {_HOW_EN} For a place outside China, add N/S "
        f"and E/W after the numbers.")


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def convert(lat: float, lon: float, source: str, target: str) -> tuple[float, float]:
    """(lat, lon) in datum `source` → in datum `target` (wgs84, gcj02, bd09 or a key of
    SOURCES), rounded to 6 decimals."""
    src, dst = _datum(source), _datum(target)
    if src == dst:
        return lat, lon
    w_lat, w_lon = geo.bd09_to_wgs84(lat, lon) if src == "bd09" else geo.to_wgs84(lat, lon, src)
    out_lat, out_lon = geo.from_wgs84(w_lat, w_lon, dst)
    return round(out_lat, _DECIMALS), round(out_lon, _DECIMALS)


def content_datum(source: str) -> str:
    """The coord_system a content file stores a pair from `source` in: its own when a file
    may hold it (no conversion, no loss), else gcj02 (百度's BD-09 is GCJ-02 rotated: its
    closed-form inverse is good to centimetres, while reaching WGS-84 adds an iteration)."""
    datum = _datum(source)
    return datum if datum in CONTENT_DATUMS else "gcj02"


def _datum(name: str) -> str:
    if name in SOURCES:
        return SOURCES[name][0]
    if name in DATUMS:
        return name
    raise ValueError(f"unknown datum {name!r}; expected one of {DATUMS} or {tuple(SOURCES)}")
