"""Validate one file: declarative field specs per kind, with Chinese enums and English aliases.

A spec knows nothing of other files: references are checked for form here and resolved by
`model`. Every problem is reported with the key path and position, and validation of a file
goes on after a problem so an editor sees them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import L, Report
from site_builder.core.positions import Positions
from site_builder.load.sourcedoc import SourceDoc
from site_builder.validate.specs import INVALID, Ctx, Field, Record
from site_builder.validate.unfinished import check_unfinished
from site_builder.validate.values import (
    SLUG_MAX,
    SLUG_RE,
    BaseUrl,
    Bool,
    Coordinate,
    Date,
    Email,
    FilingNumber,
    Image,
    Integer,
    ListOf,
    Number,
    Ref,
    Text,
    Url,
    UrlOrOff,
)
from site_builder.validate.vocabularies import (
    CATEGORIES,
    COORD_SYSTEMS,
    LANGUAGES,
    LISTING_KINDS,
    MODELS,
    ORG_TYPES,
    OUTSIDE_IMAGES,
    PARTY_ORG_TYPES,
    PROVIDERS,
    ROLES,
    SEGMENTS,
    STATION_TYPES,
    STATUSES,
)

# ---- enumerations ------------------------------------------------------------------------


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
    check_unfinished(doc, report)
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
