"""Validate one file: declarative field specs per kind, with Chinese enums and English aliases.

A spec knows nothing of other files: references are checked for form here and resolved by
`model`. Every problem is reported with the key path and position, and validation of a file
goes on after a problem so an editor sees them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from site_builder.core.dates import PartialDate, parse_date
from site_builder.core.diagnostics import L, Report, closest
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.load.sources import SourceDoc
from site_builder.validate import filing

SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
SLUG_MAX = 64
INVALID: Any = object()  # a value that failed validation (already reported)


@dataclass
class Ctx:
    """Where validation is: the file, its positions, and where problems go."""

    file: str
    positions: Positions
    report: Report
    ok: bool = True

    def error(self, code: str, path: KeyPath, *, at_key: bool = False, **args: Any) -> Any:
        line, col = (self.positions.of_key if at_key else self.positions.of_value)(path)
        self.report.emit(code, self.file, line, col, format_key(path), **args)
        if code not in ("out-of-china",):
            self.ok = False
        return INVALID


def _describe(value: Any) -> L:
    """Name the type of a YAML value the way an editor would see it."""
    if value is None:
        return L("空值", "nothing")
    if isinstance(value, bool):
        return L(f"是/否（{str(value).lower()}）", f"a yes/no value ({str(value).lower()})")
    if isinstance(value, int | float):
        return L(f"数字 {value}", f"the number {value}")
    if isinstance(value, str):
        shown = value if len(value) <= 20 else value[:20] + "…"
        return L(f"文字“{shown}”", f"the text '{shown}'")
    if isinstance(value, list):
        return L("列表（- 开头的多项）", "a list")
    if isinstance(value, dict):
        return L("键值映射", "a mapping")
    return L(type(value).__name__, type(value).__name__)


class Spec:
    """Base of all value specs: check one value and return it normalised, or INVALID."""

    expected = L("值", "a value")
    example = L("", "")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        raise RuntimeError("abstract")  # pragma: no cover

    def wrong(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        return ctx.error("wrong-type", path, name=format_key(path), expected=self.expected,
                         got=_describe(value), example=self.example)


@dataclass(frozen=True)
class Text(Spec):
    max_len: int | None = None
    expected = L("文字", "text")
    example = L("直接写文字即可；文字里有冒号或以特殊符号开头时加引号。", "Write plain text.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        # Editors write phone numbers, years and times bare; YAML makes them numbers (even
        # octal: 0512345670, or minutes: 9:30). Take the text exactly as written.
        if path in ctx.positions.raw and not isinstance(value, list | dict):
            value = ctx.positions.raw[path]
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if self.max_len is not None and len(value) > self.max_len:
            return ctx.error("too-long", path, length=len(value), max=self.max_len)
        return value


@dataclass(frozen=True)
class Integer(Spec):
    low: int | None = None
    expected = L("整数", "a whole number")
    example = L("写阿拉伯数字，例如 10。", "Write digits, e.g. 10.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"-?\d+", text):
                value = int(text)
        if isinstance(value, bool) or not isinstance(value, int):
            return self.wrong(value, ctx, path)
        if self.low is not None and value < self.low:
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Number(Spec):
    expected = L("数字", "a number")
    example = L("只写阿拉伯数字，如 13.45；“余”“多”等字写进 label 或 unit。",
                "Write digits only, e.g. 13.45; words like 'over' go in the label or unit.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if isinstance(value, str):
            text = value.strip().replace(",", "").replace("，", "")
            if re.fullmatch(r"-?\d+(\.\d+)?", text):
                value = float(text) if "." in text else int(text)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Coordinate(Spec):
    axis: str = "lat"  # lat or lon

    @property
    def expected(self) -> L:  # type: ignore[override]
        if self.axis == "lat":
            return L("纬度（小数）", "a latitude")
        return L("经度（小数）", "a longitude")

    example = L("用小数表示，例如 lat: 31.99，lon: 118.77。", "Decimal degrees, e.g. 31.99.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        number = Number().check(value, Ctx(ctx.file, ctx.positions, Report()), path)
        if number is INVALID:
            return self.wrong(value, ctx, path)
        limit = 90 if self.axis == "lat" else 180
        if not -limit <= number <= limit:
            axis = L("纬度 lat", "Latitude") if self.axis == "lat" else L("经度 lon", "Longitude")
            return ctx.error("bad-coordinate", path, axis=axis, value=number, low=-limit,
                             high=limit)
        return float(number)


@dataclass(frozen=True)
class Bool(Spec):
    expected = L("“true”或“false”", "true or false")
    example = L("写 true（是）或 false（否）。", "Write true or false.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, bool):
            return self.wrong(value, ctx, path)
        return value


@dataclass(frozen=True)
class Date(Spec):
    expected = L("日期", "a date")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        parsed = parse_date(value)
        if parsed is None:
            return ctx.error("bad-date", path, value=value)
        return parsed


@dataclass(frozen=True)
class Ref(Spec):
    """The slug of another item; resolved by the model."""

    kind: str = ""
    expected = L("文件名（slug）", "a slug")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if not SLUG_RE.match(value) or len(value) > SLUG_MAX:
            return ctx.error("bad-slug-value", path, value=value)
        return value


@dataclass(frozen=True)
class Url(Spec):
    internal: bool = False  # also accept site paths starting with '/'
    expected = L("网址", "a URL")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if self.internal and value.startswith("/") and not value.startswith("//"):
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            return ctx.error("bad-url", path, value=value)
        return value


@dataclass(frozen=True)
class BaseUrl(Spec):
    """The site's own absolute address."""

    expected = L("网址", "a URL")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            return ctx.error("bad-base-url", path, value=value)
        return value


@dataclass(frozen=True)
class Email(Spec):
    expected = L("电子邮箱", "an e-mail address")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            return self.wrong(value, ctx, path)
        value = value.strip()
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
            return ctx.error("bad-email", path, value=value)
        return value


@dataclass(frozen=True)
class FilingNumber(Spec):
    """One number of the filing block, in its own format (validate/filing.py)."""

    kind: str = "icp"  # a key of filing.CHECKS
    expected = L("文字", "text")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        text = Text().check(value, ctx, path)
        if text is INVALID:
            return INVALID
        found = filing.CHECKS[self.kind](text)
        if found is None:
            return ctx.error(f"filing-{self.kind.replace('_', '-')}", path, value=text)
        return found


@dataclass(frozen=True)
class UrlOrOff(Spec):
    """A URL, or false to show no link at all."""

    expected = L("网址或 false", "a URL or false")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if value is False:
            return False
        if isinstance(value, bool):
            return self.wrong(value, ctx, path)
        return Url(internal=True).check(value, ctx, path)


@dataclass(frozen=True)
class Image(Spec):
    """A path to an image: relative to the file's folder, or /media/…; checked by the model."""

    expected = L("图片路径", "an image path")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str) or not value.strip():
            return self.wrong(value, ctx, path)
        return value.strip()


@dataclass(frozen=True)
class Choice:
    """One enumerated value: canonical Chinese, English alias, and other accepted spellings."""

    zh: str
    en: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Enum(Spec):
    choices: tuple[Choice, ...] = ()
    show_aliases: bool = True  # whether the English alias appears in 'accepted values'
    expected = L("可选值之一", "one of the accepted values")

    def lookup(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for c in self.choices:
            for spelling in (c.zh, c.en, *c.also):
                table[spelling.lower()] = c.zh
        return table

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if not isinstance(value, str):
            value = "" if value is None else str(value)
        text = value.strip()
        # Editors paste values with brackets from the guide: "链主（chain_owner）".
        text = re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", text) or text
        found = self.lookup().get(text.lower())
        if found is not None:
            return found
        allowed = [f"{c.zh}（{c.en}）" if self.show_aliases else c.zh for c in self.choices]
        spellings = [c.zh for c in self.choices] + [c.en for c in self.choices]
        suggestion = closest(text, spellings, cutoff=0.4)
        if suggestion:
            suggestion = self.lookup()[suggestion.lower()]
            return ctx.error("bad-enum", path, value=value, allowed=allowed,
                             suggestion=suggestion)
        return ctx.error("bad-enum-nosuggest", path, value=value, allowed=allowed)

    def english(self, zh: str) -> str:
        for c in self.choices:
            if c.zh == zh:
                return c.en
        return zh


@dataclass(frozen=True)
class ListOf(Spec):
    item: Spec = field(default_factory=Text)
    min_items: int = 0
    expected = L("列表", "a list")
    example = L("每一项另起一行，以“- ”开头（减号加空格），或写成 [甲, 乙]。",
                "Put each item on its own line starting with '- ', or write [a, b].")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        # One value where a list is expected is a list of one: `industries: 人工智能`.
        if value is None:
            value = []
        if not isinstance(value, list):
            value = [value]
            if isinstance(self.item, Record) and isinstance(value[0], dict):
                pass
            elif isinstance(self.item, Record):
                return self.wrong(value[0], ctx, path)
            _promote_positions(ctx, path)
        if len(value) < self.min_items:
            return ctx.error("empty-list", path, name=format_key(path), min=self.min_items,
                             example=self.example)
        out = []
        for i, item in enumerate(value):
            checked = self.item.check(item, ctx, (*path, i))
            if checked is not INVALID:
                out.append(checked)
        return tuple(out)


def _promote_positions(ctx: Ctx, path: KeyPath) -> None:
    """A scalar read as a one-item list keeps its position (and any nested ones) as item 0."""
    values = dict(ctx.positions.values)
    keys = dict(ctx.positions.keys)
    raw = dict(ctx.positions.raw)
    n = len(path)
    for table in (values, keys, raw):
        for p in [p for p in table if p[:n] == path]:
            table[(*path, 0, *p[n:])] = table[p]
    ctx.positions = Positions(keys, values, raw)


@dataclass(frozen=True)
class Field:
    """A key of a mapping: its spec, whether it must be there, and what it means."""

    spec: Spec
    required: bool = False
    meaning: L = field(default_factory=lambda: L("", ""))
    default: Any = None


@dataclass(frozen=True)
class Record(Spec):
    fields: Mapping[str, Field] = field(default_factory=dict)
    open_keys: bool = False  # `extra:` — anything goes
    expected = L("“键: 值”映射", "a mapping of keys")
    example = L("在下一行缩进两个空格，逐行写“键: 值”。", "Indent the keys below it by two spaces.")

    def check(self, value: Any, ctx: Ctx, path: KeyPath) -> Any:
        if self.open_keys:
            return value if isinstance(value, dict) else self.wrong(value, ctx, path)
        if not isinstance(value, dict):
            if not path:
                return ctx.error("not-mapping", path, got=_describe(value))
            return self.wrong(value, ctx, path)
        out: dict[str, Any] = {}
        known = list(self.fields)
        for key, raw in value.items():
            child = (*path, key)
            spec = self.fields.get(key)
            if spec is None:
                suggestion = closest(key, known)
                if suggestion:
                    ctx.error("unknown-key", child, at_key=True, name=key,
                              suggestion=suggestion, allowed=known)
                else:
                    ctx.error("unknown-key-nosuggest", child, at_key=True, name=key,
                              allowed=known)
                continue
            if raw is None:
                # `cover:` left empty means not given (a required one is reported below).
                if spec.default is not None:
                    out[key] = spec.default
                continue
            checked = spec.spec.check(raw, ctx, child)
            if checked is not INVALID:
                out[key] = checked
        for key, spec in self.fields.items():
            if key in value and value[key] is None and spec.required:
                # Written but left empty: point at the key itself, not at its parent.
                ctx.error("empty-required", (*path, key), at_key=True,
                          name=format_key((*path, key)), meaning=spec.meaning)
            elif key not in value:
                if spec.required:
                    parent = format_key(path)
                    ctx.error("missing-key", path, name=format_key((*path, key)), leaf=key,
                              meaning=spec.meaning,
                              where=f"“{parent}”下" if parent else "文件顶层",
                              where_en=f"under '{parent}'" if parent else "at the top level")
                elif spec.default is not None:
                    out[key] = spec.default
        return out


# ---- enumerations ------------------------------------------------------------------------

def _choices(*pairs: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> tuple[Choice, ...]:
    return tuple(Choice(*p) for p in pairs)


ORG_TYPES = Enum(_choices(
    ("产业链党建联盟", "chain_alliance"),
    ("产业链党委", "chain_committee"),
    ("产业链联合党委", "chain_joint_committee"),
    ("联合党支部", "joint_branch"),
    ("产业集群党委", "cluster_committee"),
    ("产业集群党总支", "cluster_general_branch"),
    ("其他", "other"),
), show_aliases=False)

MODELS = Enum(_choices(
    ("职能部门牵引型", "department_led"),
    ("龙头企业带动型", "leader_driven"),
    ("属地党委整合型", "locality_integrated"),
    ("行业协会串联型", "association_linked"),
), show_aliases=False)

SEGMENTS = Enum(_choices(
    ("上游", "upstream"), ("中游", "midstream"), ("下游", "downstream"), ("服务", "service"),
))

ROLES = Enum(_choices(
    ("链主", "chain_owner"), ("龙头企业", "leader"), ("骨干企业", "backbone"),
    ("成员企业", "member"), ("服务机构", "service"), ("高校院所", "academic"),
))

PARTY_ORG_TYPES = Enum(_choices(
    ("党委", "committee"), ("党总支", "general_branch"), ("党支部", "branch"),
    ("联合党支部", "joint_branch"), ("未建", "none"),
), show_aliases=False)

STATION_TYPES = Enum(_choices(
    ("党建工作站", "workstation"), ("先锋阵地", "pioneer_post"),
    ("党群服务中心", "service_center"), ("书记工作室", "secretary_studio"),
    ("人才综合体", "talent_complex"), ("实境课堂", "field_classroom"), ("其他", "other"),
), show_aliases=False)

LISTING_KINDS = Enum(_choices(("需求", "need"), ("资源", "resource"), ("项目", "project")))

CATEGORIES = Enum(_choices(
    ("融资", "finance"), ("人才", "talent"), ("技术", "technology"), ("市场", "market"),
    ("用地", "land"), ("政策", "policy"), ("其他", "other"),
), show_aliases=False)

STATUSES = Enum(_choices(("征集中", "open"), ("对接中", "matching"), ("已解决", "resolved")))

COORD_SYSTEMS = Enum(_choices(
    ("wgs84", "WGS-84", ("wgs-84", "cgcs2000")), ("gcj02", "GCJ-02", ("gcj-02",)),
), show_aliases=False)

PROVIDERS = Enum(_choices(
    ("osm", "OpenStreetMap", ("openstreetmap",)), ("tianditu", "天地图"),
    ("gaode", "高德", ("amap", "autonavi")), ("custom", "custom", ("自定义",)),
), show_aliases=False)

OUTSIDE_IMAGES = Enum(_choices(
    ("error", "error", ("错误", "报错")), ("warn", "warn", ("warning", "警告")),
), show_aliases=False)

LANGUAGES = Enum(_choices(
    ("zh-CN", "Chinese", ("zh", "zh-cn", "zh-hans", "中文", "简体中文", "cn")),
    ("en", "English", ("en-us", "en-gb", "英文", "英语")),
), show_aliases=False)

# Role and segment display order on alliance pages: 链主 first.
ROLE_ORDER = tuple(c.zh for c in ROLES.choices)
SEGMENT_ORDER = tuple(c.zh for c in SEGMENTS.choices)


# ---- the kinds ---------------------------------------------------------------------------

def _m(zh: str, en: str) -> L:
    return L(zh, en)


DRAFT = Field(Bool(), meaning=_m("草稿，不发布", "draft, not published"), default=False)
# The 更新日期 shown on the record's page (otherwise its file's last commit, see gitdates).
UPDATED = Field(Date(), meaning=_m("更新日期", "date last updated"))
EXTRA = Field(Record(open_keys=True), meaning=_m("自定义数据", "free-form data"))

LOCATION = Record({
    "address": Field(Text(), meaning=_m("地址", "address")),
    "lat": Field(Coordinate("lat"), True, _m("纬度", "latitude")),
    "lon": Field(Coordinate("lon"), True, _m("经度", "longitude")),
    "coord_system": Field(COORD_SYSTEMS, meaning=_m("坐标系", "datum"), default="wgs84"),
})

SITE = Record({
    "title": Field(Text(), True, _m("网站名称", "site title")),
    "description": Field(Text(), meaning=_m("一句话介绍", "one-sentence description")),
    "base_url": Field(BaseUrl(), True, _m("网站发布后的完整地址", "published URL")),
    "language": Field(LANGUAGES, meaning=_m("网站语言", "language"), default="zh-CN"),
    "publisher": Field(Text(), meaning=_m("主办单位", "publisher")),
    "footer": Field(Text(), meaning=_m("页脚文字（Markdown）", "footer Markdown")),
    "filing": Field(Record({
        "icp": Field(FilingNumber("icp"), meaning=_m("ICP 备案号", "ICP filing number")),
        "police": Field(FilingNumber("police"), meaning=_m("公安备案号", "police filing number")),
        "site_code": Field(FilingNumber("site_code"), meaning=_m("网站标识码", "site code")),
        "conac": Field(FilingNumber("conac"), meaning=_m("党政机关网站标识", "CONAC code")),
        "sponsor": Field(Text(), meaning=_m("主办单位", "sponsor")),
        "organizer": Field(Text(), meaning=_m("承办单位", "organizer")),
        "contact": Field(FilingNumber("contact"), meaning=_m("联系方式", "contact")),
        "error_report": Field(UrlOrOff(), meaning=_m("“我为政府网站找错”链接",
                                                      "error-report link")),
    }), meaning=_m("备案信息", "filing block")),
    "nav": Field(ListOf(Record({
        "title": Field(Text(), True, _m("栏目名称", "title")),
        "url": Field(Url(internal=True), True, _m("链接地址", "link")),
    })), meaning=_m("导航栏", "navigation")),
    "map": Field(Record({
        "provider": Field(PROVIDERS, meaning=_m("底图来源", "tile provider"), default="osm"),
        "tianditu_key": Field(Text(), meaning=_m("天地图密钥", "Tianditu key")),
        "tiles": Field(Text(), meaning=_m("瓦片地址模板", "tile URL template")),
        "attribution": Field(Text(), meaning=_m("底图版权说明", "attribution")),
        "coord_system": Field(COORD_SYSTEMS, meaning=_m("底图坐标系", "tile datum")),
        "review_number": Field(Text(), meaning=_m("审图号", "map review number")),
        "center": Field(ListOf(Number(), min_items=2), meaning=_m("初始中心点", "center")),
        "zoom": Field(Integer(low=1), meaning=_m("初始缩放级别", "zoom")),
    }), meaning=_m("地图设置", "map settings")),
    "outside_images": Field(OUTSIDE_IMAGES, meaning=_m("正文中的外站图片：报错或只警告",
                                                       "images from other sites"),
                            default="error"),
    "extra": EXTRA,
})

ALLIANCE = Record({
    "name": Field(Text(), True, _m("联盟全称", "full name")),
    "short_name": Field(Text(), meaning=_m("简称", "short name")),
    "summary": Field(Text(max_len=200), True, _m("简介，200 字以内", "summary")),
    "region": Field(Record({
        "province": Field(Text(), True, _m("省份", "province")),
        "city": Field(Text(), meaning=_m("城市", "city")),
        "district": Field(Text(), meaning=_m("区县", "district")),
    }), True, _m("所在地区", "region")),
    "industries": Field(ListOf(Text(), min_items=1), True, _m("产业", "industries")),
    "organization": Field(Record({
        "type": Field(ORG_TYPES, True, _m("组织形式", "organisation type")),
        "name": Field(Text(), meaning=_m("组织名称", "name")),
        "established": Field(Date(), meaning=_m("成立时间", "established")),
    }), True, _m("党组织", "organisation")),
    "model": Field(MODELS, meaning=_m("共建模式", "model")),
    "chain_owner": Field(Ref("enterprise"), meaning=_m("链主企业", "chain owner")),
    "chain": Field(ListOf(Record({
        "segment": Field(SEGMENTS, True, _m("环节", "segment")),
        "name": Field(Text(), True, _m("环节名称", "segment name")),
    })), meaning=_m("产业链环节", "chain segments")),
    "stats": Field(ListOf(Record({
        "label": Field(Text(), True, _m("指标名称", "label")),
        "value": Field(Number(), True, _m("数值", "value")),
        "unit": Field(Text(), meaning=_m("单位", "unit")),
        "as_of": Field(Date(), True, _m("统计截至日期", "as of")),
        "source": Field(Text(), meaning=_m("数据来源", "source")),
    })), meaning=_m("主要数据", "figures")),
    "mechanisms": Field(ListOf(Record({
        "name": Field(Text(), True, _m("机制名称", "name")),
        "description": Field(Text(), meaning=_m("说明", "description")),
    })), meaning=_m("工作机制", "mechanisms")),
    "honors": Field(ListOf(Record({
        "title": Field(Text(), True, _m("荣誉名称", "title")),
        "year": Field(Date(), meaning=_m("年份", "year")),
        "by": Field(Text(), meaning=_m("授予单位", "awarded by")),
    })), meaning=_m("所获荣誉", "honours")),
    "contact": Field(Record({
        "address": Field(Text(), meaning=_m("地址", "address")),
        "phone": Field(Text(), meaning=_m("电话", "phone")),
        "email": Field(Email(), meaning=_m("邮箱", "e-mail")),
    }), meaning=_m("联系方式", "contact")),
    "cover": Field(Image(), meaning=_m("封面图", "cover image")),
    "weight": Field(Integer(), meaning=_m("排序，小的在前", "sort weight")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

ENTERPRISE = Record({
    "name": Field(Text(), True, _m("企业或单位全称", "registered name")),
    "short_name": Field(Text(), meaning=_m("简称", "short name")),
    "summary": Field(Text(), meaning=_m("简介", "summary")),
    "industry": Field(Text(), meaning=_m("所属行业", "industry")),
    "website": Field(Url(), meaning=_m("官网", "website")),
    "logo": Field(Image(), meaning=_m("标志图片", "logo")),
    "tags": Field(ListOf(Text()), meaning=_m("标签", "tags")),
    "memberships": Field(ListOf(Record({
        "alliance": Field(Ref("alliance"), True, _m("所属联盟", "alliance")),
        "role": Field(ROLES, True, _m("角色", "role")),
        "segment": Field(SEGMENTS, True, _m("所在环节", "segment")),
    }), min_items=1), True, _m("加入的联盟", "memberships")),
    "party_org": Field(Record({
        "type": Field(PARTY_ORG_TYPES, True, _m("党组织类型", "type")),
        "name": Field(Text(), meaning=_m("党组织名称", "name")),
        "members": Field(Integer(low=0), meaning=_m("党员人数", "members")),
        "established": Field(Date(), meaning=_m("成立时间", "established")),
    }), meaning=_m("党组织", "Party organisation")),
    "location": Field(LOCATION, meaning=_m("位置", "location")),
    "description": Field(Text(), meaning=_m("详细介绍（Markdown）", "description")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

STORY = Record({
    "title": Field(Text(), True, _m("标题", "title")),
    "date": Field(Date(), True, _m("日期", "date")),
    "summary": Field(Text(max_len=200), True, _m("摘要，200 字以内", "summary")),
    "alliances": Field(ListOf(Ref("alliance")), meaning=_m("相关联盟", "alliances")),
    "enterprises": Field(ListOf(Ref("enterprise")), meaning=_m("相关企业", "enterprises")),
    "tags": Field(ListOf(Text()), meaning=_m("标签", "tags")),
    "cover": Field(Image(), meaning=_m("封面图", "cover")),
    "author": Field(Text(), meaning=_m("作者", "author")),
    "source": Field(Record({
        "name": Field(Text(), True, _m("来源名称", "source name")),
        "url": Field(Url(), meaning=_m("来源网址", "source URL")),
        "date": Field(Date(), meaning=_m("来源日期", "source date")),
    }), meaning=_m("事实来源", "source")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

STATION = Record({
    "name": Field(Text(), True, _m("阵地名称", "name")),
    "address": Field(Text(), True, _m("地址", "address")),
    "type": Field(STATION_TYPES, True, _m("阵地类型", "type")),
    "location": Field(LOCATION, True, _m("位置（lat、lon）", "location")),
    "alliances": Field(ListOf(Ref("alliance")), meaning=_m("服务的联盟", "alliances")),
    "hours": Field(Text(), meaning=_m("开放时间", "opening hours")),
    "phone": Field(Text(), meaning=_m("电话", "phone")),
    "services": Field(ListOf(Text()), meaning=_m("服务项目", "services")),
    "summary": Field(Text(), meaning=_m("简介", "summary")),
    "photo": Field(Image(), meaning=_m("照片", "photo")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

LISTING = Record({
    "kind": Field(LISTING_KINDS, True, _m("清单类型", "kind")),
    "title": Field(Text(), True, _m("标题", "title")),
    "alliance": Field(Ref("alliance"), True, _m("所属联盟", "alliance")),
    "enterprise": Field(Ref("enterprise"), meaning=_m("相关企业", "enterprise")),
    "category": Field(CATEGORIES, meaning=_m("类别", "category")),
    "status": Field(STATUSES, meaning=_m("进展", "status"), default="征集中"),
    "posted": Field(Date(), True, _m("发布日期", "posted")),
    "description": Field(Text(), meaning=_m("说明（Markdown）", "description")),
    "contact": Field(Text(), meaning=_m("联系方式", "contact")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

PAGE = Record({
    "title": Field(Text(), True, _m("标题", "title")),
    "summary": Field(Text(), meaning=_m("摘要", "summary")),
    "nav_weight": Field(Integer(), meaning=_m("导航栏顺序（写了才出现在导航栏）", "nav order")),
    "updated": UPDATED,
    "draft": DRAFT,
    "extra": EXTRA,
})

SCHEMAS: dict[str, Record] = {
    "site": SITE,
    "alliance": ALLIANCE,
    "enterprise": ENTERPRISE,
    "story": STORY,
    "station": STATION,
    "listing": LISTING,
    "page": PAGE,
}


@dataclass(frozen=True)
class Validated:
    """A record after validation: normalised data, or ok=False with problems reported."""

    doc: SourceDoc
    data: Mapping[str, Any]
    ok: bool
    positions: Positions


def validate_doc(doc: SourceDoc, report: Report) -> Validated:
    """Check one record against its kind's schema, reporting every problem."""
    if doc.kind == "alliance_body" or not doc.ok:  # Markdown only, or already reported
        return Validated(doc, {}, doc.ok, doc.positions)
    ctx = Ctx(doc.path, doc.positions, report)
    if doc.kind != "site" and (not SLUG_RE.match(doc.slug) or len(doc.slug) > SLUG_MAX):
        ctx.error("bad-slug", (), slug=doc.slug, example=suggest_slug(doc.slug))
    data = SCHEMAS[doc.kind].check(doc.data, ctx, ())
    if data is INVALID:
        data = {}
    if (doc.kind == "listing" and data.get("kind") == "需求"
            and "enterprise" not in (doc.data or {})):
        ctx.error("listing-needs-enterprise", ("kind",))
    if doc.kind == "site":
        base = data.get("base_url")
        if base is not None and not base.endswith("/"):
            data["base_url"] = base + "/"
    return Validated(doc, data, ctx.ok and doc.ok, ctx.positions)


def suggest_slug(name: str) -> str:
    """A valid slug close to `name`, for the hint of a bad file name."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text[:SLUG_MAX].strip("-") or "my-item"


def is_date(value: Any) -> bool:
    return isinstance(value, PartialDate)
