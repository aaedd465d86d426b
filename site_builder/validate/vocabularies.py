"""The enumerations of the content contract: each value in Chinese, its English alias and older
spellings."""

from __future__ import annotations

from site_builder.validate.values import (
    Choice,
    Enum,
)


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
