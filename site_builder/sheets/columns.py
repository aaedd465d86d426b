"""The columns of each kind's sheet: header labels and synonyms, the key each one fills, and
how a cell becomes a value. Export writes the same columns, so export then import is a no-op."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from site_builder.core.dates import parse_date
from site_builder.validate import schema as s

KINDS = ("enterprises", "stations", "listings")
KIND_OF = {"enterprises": "enterprise", "stations": "station", "listings": "listing"}


@dataclass(frozen=True)
class Column:
    """One column: its canonical header, other accepted headers, the key it fills."""

    key: str  # dotted key path ("location.lat"); "slug", "coord" and "crs" are special
    label: str  # the header export writes
    aliases: tuple[str, ...] = ()
    type: str = "text"  # text int float date enum list alliance alliances enterprise coord crs
    enum: s.Enum | None = None
    help: str = ""


def _c(key: str, label: str, aliases: str = "", type: str = "text",
       enum: s.Enum | None = None, help: str = "") -> Column:
    return Column(key, label, tuple(a for a in aliases.split("|") if a), type, enum, help)


_SLUG = _c("slug", "文件名", "文件|slug|网址名",
           help="网站上的文件名（小写字母、数字、连字符）。留空则按名称自动生成；"
                "再次导入时按它找到已有的记录，没有这一列时按名称找。")
_LON = _c("location.lon", "经度", "lon|longitude|东经", "float",
          help="小数，如 118.7795。")
_LAT = _c("location.lat", "纬度", "lat|latitude|北纬", "float",
          help="小数，如 31.9912。")
_COORD = _c("coord", "坐标", "经纬度|坐标（经度,纬度）|位置坐标", "coord",
            help="可代替经度、纬度两列：一格写“经度,纬度”，即高德、百度坐标拾取器给出的格式。")
_CRS = _c("crs", "坐标系", "坐标类型|coord_system|坐标来源", "crs",
          help="WGS-84（GPS、天地图）、GCJ-02（高德、腾讯）或 BD-09（百度）。"
               "百度坐标导入时换算成 GCJ-02。留空为 WGS-84。")

ENTERPRISE = (
    _SLUG,
    _c("name", "名称", "企业名称|单位名称|企业全称|单位全称|全称|公司名称|成员单位|name",
       help="注册全称（必填）。同一单位加入几个联盟时写几行，名称相同。"),
    _c("short_name", "简称", "企业简称|单位简称|short_name"),
    _c("summary", "简介", "企业简介|单位简介|一句话介绍|summary"),
    _c("industry", "行业", "所属行业|产业|所属产业|industry"),
    _c("website", "官网", "网址|网站|官方网站|website", help="以 http:// 或 https:// 开头。"),
    _c("tags", "标签", "tags", "list", help="多个用顿号“、”、分号或换行分开。"),
    _c("memberships.alliance", "所属联盟", "联盟|联盟名称|加入联盟|alliance", "alliance",
       help="联盟全称、简称或文件夹名（必填）。"),
    _c("memberships.role", "角色", "联盟角色|成员角色|role", "enum", s.ROLES,
       help="链主、龙头企业、骨干企业、成员企业、服务机构、高校院所（必填）。"),
    _c("memberships.segment", "环节", "所在环节|产业链环节|链条环节|segment", "enum",
       s.SEGMENTS, help="上游、中游、下游、服务（必填）。"),
    _c("party_org.type", "党组织", "党组织类型|党组织形式", "enum", s.PARTY_ORG_TYPES,
       help="党委、党总支、党支部、联合党支部、未建。"),
    _c("party_org.name", "党组织名称", "党组织全称"),
    _c("party_org.members", "党员人数", "党员数|党员数量|members", "int", help="整数。"),
    _c("party_org.established", "党组织成立时间", "党组织成立日期|建立党组织时间", "date",
       help="日期，如 2019-07-01、2019-07 或 2019。"),
    _c("location.address", "地址", "企业地址|单位地址|详细地址|通讯地址|address"),
    _LON, _LAT, _COORD, _CRS,
)

STATION = (
    _SLUG,
    _c("name", "名称", "阵地名称|站点名称|名字|name", help="阵地名称（必填）。"),
    _c("type", "阵地类型", "类型|type", "enum", s.STATION_TYPES,
       help="党建工作站、先锋阵地、党群服务中心、书记工作室、人才综合体、实境课堂、"
            "其他（必填）。"),
    _c("address", "地址", "阵地地址|详细地址|address", help="必填。"),
    _LON, _LAT, _COORD, _CRS,
    _c("alliances", "所属联盟", "服务联盟|联盟|服务的联盟|alliances", "alliances",
       help="联盟全称、简称或文件夹名；多个用顿号“、”、分号或换行分开。"),
    _c("hours", "开放时间", "服务时间|办公时间|hours"),
    _c("phone", "电话", "联系电话|服务电话|咨询电话|phone", help="照原样保留，如 025-0000-0001。"),
    _c("services", "服务项目", "服务内容|services", "list",
       help="多个用顿号“、”、分号或换行分开。"),
    _c("summary", "简介", "阵地简介|summary"),
)

LISTING = (
    _SLUG,
    _c("kind", "清单类型", "类型|清单|kind", "enum", s.LISTING_KINDS,
       help="需求、资源、项目（必填）。"),
    _c("title", "标题", "名称|清单名称|事项|title", help="必填。"),
    _c("alliance", "所属联盟", "联盟|alliance", "alliance",
       help="联盟全称、简称或文件夹名（必填）。"),
    _c("enterprise", "企业", "相关企业|提出企业|企业名称|单位名称|enterprise", "enterprise",
       help="企业全称、简称或文件名；“需求”必填。"),
    _c("category", "类别", "分类|category", "enum", s.CATEGORIES,
       help="融资、人才、技术、市场、用地、政策、其他。"),
    _c("status", "进展", "状态|办理进展|status", "enum", s.STATUSES,
       help="征集中、对接中、已解决；留空为征集中。"),
    _c("posted", "发布日期", "日期|发布时间|posted", "date", help="必填，如 2024-05-20。"),
    _c("description", "说明", "具体说明|详情|内容|description"),
    _c("contact", "联系方式", "联系人|联系电话|电话|contact"),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "enterprise": ENTERPRISE, "station": STATION, "listing": LISTING}
NAME_KEY = {"enterprise": "name", "station": "name", "listing": "title"}

CRS_NAMES = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "gps": "wgs84", "天地图": "wgs84", "cgcs2000": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "高德": "gcj02", "腾讯": "gcj02", "火星坐标": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "百度": "bd09",
}
CRS_LABELS = {"wgs84": "WGS-84", "gcj02": "GCJ-02", "bd09": "BD-09"}

_FULL = {0x3000: " ", **{0xFF10 + i: str(i) for i in range(10)}}


def clean_text(text: str) -> str:
    """Full-width spaces and digits as ASCII, ends trimmed; other characters kept as typed."""
    return text.translate(_FULL).strip()


def header_key(text: Any) -> str:
    """A header as matched: NFKC (full-width letters too), no spaces, no * or required marks."""
    out = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    out = re.sub(r"[\s*＊]+|^必填|必填$", "", out)
    return out


def header_table(kind: str) -> dict[str, Column]:
    """Every accepted header of a kind → its column (labels, synonyms and YAML key names)."""
    table: dict[str, Column] = {}
    for col in COLUMNS[kind]:
        for name in (col.label, *col.aliases, col.key):
            table.setdefault(header_key(name), col)
    return table


def match_header(text: Any, table: dict[str, Column]) -> Column | None:
    key = header_key(text)
    if not key:
        return None
    found = table.get(key)
    if found is None:  # 经度（lon） or 名称(必填): the part before a bracket
        bare = re.sub(r"[(（【\[].*$", "", key)
        found = table.get(bare) if bare else None
    return found


def cell_text(value: Any) -> str:
    """A cell as text: numbers without a trailing .0 (phones stored as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    return clean_text(str(value))


def cell_date(value: Any) -> str:
    """A date cell as the text the content guide accepts; Excel serials converted."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and float(value).is_integer():
            return str(int(value))  # a year
        if 1 < value < 80000:  # a serial day number, counted from 1899-12-30
            return (dt.date(1899, 12, 30) + dt.timedelta(days=int(value))).isoformat()
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(" ", "")
    parsed = parse_date(text)
    return str(parsed) if parsed is not None else text


def cell_number(value: Any, integer: bool) -> Any:
    """A number cell, or its text when it is not one (validation then says why, at the cell)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if integer and float(value).is_integer() else (
            value if integer else float(value))
    text = unicodedata.normalize("NFKC", cell_text(value)).replace(",", "").replace(" ", "")
    try:
        return int(text) if integer else float(text)
    except ValueError:
        return text


def split_list(value: Any) -> list[str]:
    """Items separated by 、；; or new lines."""
    return [p for p in (clean_text(x) for x in re.split(r"[、；;\n]", cell_text(value))) if p]


def parse_coord(value: Any) -> tuple[float, float] | None:
    """'118.77,31.99' (lon first, as 高德 and 百度 give it) → (lat, lon)."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    parts = [p for p in re.split(r"[,\s;]+", text) if p]
    if len(parts) != 2:
        return None
    try:
        lon, lat = float(parts[0]), float(parts[1])
    except ValueError:
        return None
    return lat, lon


_LOOKUPS: dict[int, dict[str, str]] = {}


def canon_enum(enum: s.Enum, value: Any) -> str:
    """The canonical Chinese value of an enumeration, or the text as typed."""
    table = _LOOKUPS.get(id(enum))
    if table is None:  # Enum.lookup() builds its table on every call
        table = _LOOKUPS[id(enum)] = enum.lookup()
    text = cell_text(value)
    bare = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text) or text
    return table.get(bare.lower(), text)
