"""`new` and `init`: commented starting files that build as they are."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_builder.validate.values import SLUG_MAX, SLUG_RE

KINDS = ("alliance", "enterprise", "story", "station", "listing", "page")


class ScaffoldError(Exception):
    """A scaffold request that cannot be carried out (bad slug, file exists)."""


def _first_slug(folder: Path, pattern: str, default: str) -> str:
    found = sorted(folder.glob(pattern)) if folder.is_dir() else []
    for path in found:
        name = path.parent.name if path.name.startswith("alliance.") else path.stem
        if SLUG_RE.match(name):
            return name
    return default


TEMPLATES: dict[str, str] = {
    "alliance": """\
# 联盟基本信息。以 # 开头的行是注释，不会显示在网站上。
# 完整说明见 docs/内容编写指南.md。
name: 示例区“示例链”产业链党建联盟      # 必填：全称
short_name: 示例链党建联盟              # 卡片和导航中显示的简称
summary: 用一两句话介绍联盟：覆盖哪条产业链、联结了哪些企业党组织、主要做什么。  # 必填，200 字以内
region:                                 # 必填
  province: 江苏省                      # 必填
  city: 南京市
  district: 雨花台区
industries: [人工智能, 工业软件]         # 必填：至少一个产业
organization:                           # 必填
  type: 产业链党建联盟                  # 产业链党建联盟 / 产业链党委 / 产业链联合党委 / 联合党支部 / 产业集群党委 / 产业集群党总支 / 其他
  name: 示例产业链党建联盟
  established: 2024-03                  # 日期可写 2024、2024-03 或 2024-03-15
model: 龙头企业带动型                   # 职能部门牵引型 / 龙头企业带动型 / 属地党委整合型 / 行业协会串联型
# chain_owner: some-enterprise          # 链主企业的文件名；该企业须以“链主”角色加入本联盟
chain:                                  # 产业链环节，按上游到下游的顺序
  - {segment: 上游, name: 基础软硬件}
  - {segment: 中游, name: 行业应用}
  - {segment: 下游, name: 场景落地}
  - {segment: 服务, name: 金融与人才服务}
stats:                                  # 主要数据：value 只写数字，as_of 必填
  - {label: 链上企业党组织, value: 10, unit: 个, as_of: 2024-12, source: 联盟年度报告}
mechanisms:
  - {name: 联席会议, description: 每季度召开一次，协调解决链上企业问题。}
contact:
  address: 某市某区某路 1 号
  phone: 025-00000000
weight: 10                              # 排序：数字小的在前
""",
    "enterprise": """\
# 成员单位（企业、高校院所、服务机构）。完整说明见 docs/内容编写指南.md。
name: 示例科技有限公司                  # 必填：注册全称
short_name: 示例科技
summary: 一句话介绍这家单位。
industry: 工业软件
memberships:                            # 必填：加入的联盟，至少一项
  - alliance: {alliance}                # 联盟文件夹的名字
    role: 成员企业                      # 链主 / 龙头企业 / 骨干企业 / 成员企业 / 服务机构 / 高校院所
    segment: 中游                       # 上游 / 中游 / 下游 / 服务
party_org:
  type: 党支部                          # 党委 / 党总支 / 党支部 / 联合党支部 / 未建
  name: 示例科技有限公司党支部
location:                               # 位置：纬度 lat、经度 lon（WGS-84，如用高德坐标请加 coord_system: gcj02）
  address: 某市某区某路 2 号
  lat: 31.99
  lon: 118.77
tags: [专精特新]
""",
    "story": """\
---
# 案例故事：两行 --- 之间是元数据，下面是正文（Markdown）。
title: 案例标题                          # 必填
date: {today}                            # 必填：日期在未来的案例要到那天才发布
summary: 一两句话的摘要，200 字以内。      # 必填
alliances: [{alliance}]                  # 相关联盟的文件夹名
enterprises: []                          # 相关企业的文件名
tags: [供需对接]
source:                                  # 事实来源
  name: 来源报道的名称
  date: {today}
draft: true                              # 写完后改为 false 或删掉这一行
---

正文第一段。用空行分隔段落。

## 小标题

- 列表项
- 站内链接写成 [联盟页面](/alliances/{alliance}/)
""",
    "station": """\
# 党建阵地，会显示在地图上。完整说明见 docs/内容编写指南.md。
name: 示例党建工作站                    # 必填
address: 某市某区某路 3 号               # 必填
type: 党建工作站                        # 党建工作站 / 先锋阵地 / 党群服务中心 / 书记工作室 / 人才综合体 / 实境课堂 / 其他
location:                               # 必填
  lat: 31.99
  lon: 118.77
  # coord_system: gcj02                 # 坐标取自高德地图时加上这一行
alliances: [{alliance}]
hours: 周一至周五 9:00–17:00
services: [政策咨询, 党员活动, 人才服务]
summary: 一句话介绍这个阵地。
""",
    "listing": """\
# “三张清单”中的一条：需求、资源或项目。完整说明见 docs/内容编写指南.md。
kind: 资源                              # 必填：需求 / 资源 / 项目（需求须写 enterprise）
title: 清单标题                          # 必填
alliance: {alliance}                    # 必填：所属联盟
# enterprise: some-enterprise           # 提出需求的企业（“需求”必填）
category: 政策                          # 融资 / 人才 / 技术 / 市场 / 用地 / 政策 / 其他
status: 征集中                          # 征集中 / 对接中 / 已解决
posted: {today}                          # 必填：发布日期
description: 说明具体内容、条件和期限。
contact: 联系人及电话
""",
    "page": """\
---
title: 页面标题                          # 必填
summary: 一句话摘要
nav_weight: 50                           # 写了就出现在导航栏，数字小的在前
---

页面正文（Markdown）。
""",
}


def new_file(site_dir: Path, kind: str, slug: str) -> Path:
    """Write a commented file of `kind` named `slug`; never overwrite."""
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        raise ScaffoldError(
            f"“{slug}”不能用作文件名：只用小写英文字母、数字和单个连字符 / "
            f"'{slug}' is not a valid slug (lower-case letters, digits, single hyphens)"
        )
    content = site_dir / "content"
    if not content.is_dir():
        raise ScaffoldError(f"{content} 不存在 / does not exist (site-builder init DIR)")
    target = {
        "alliance": content / "alliances" / slug / "alliance.yaml",
        "enterprise": content / "enterprises" / f"{slug}.yaml",
        "story": content / "stories" / f"{slug}.md",
        "station": content / "stations" / f"{slug}.yaml",
        "listing": content / "listings" / f"{slug}.yaml",
        "page": content / "pages" / f"{slug}.md",
    }[kind]
    if target.exists():
        raise ScaffoldError(f"{target} 已存在，不会覆盖 / already exists")
    alliance = _first_slug(content / "alliances", "*/alliance.y*ml", "my-alliance")
    text = TEMPLATES[kind].replace("{alliance}", alliance).replace(
        "{today}", dt.date.today().isoformat())
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


SITE_YAML = """\
# 网站设置。完整说明见 docs/内容编写指南.md。
title: 示例产业链党建联盟展示平台        # 必填：网站名称
description: 展示产业链党建联盟的组织、成员、案例与党建阵地。
base_url: https://www.example.gov.cn/dangjian/   # 必填：网站发布后的完整地址
language: zh-CN                          # zh-CN 或 en
publisher: 示例区委组织部
footer: "示例备案号：X ICP 备 00000000 号"
map:
  provider: osm                          # osm / tianditu / gaode / custom
"""


def init_site(directory: Path) -> Path:
    """Create a new site folder with a small example that builds."""
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(f"{directory} 已存在且不为空 / exists and is not empty")
    content = directory / "content"
    (content / "media").mkdir(parents=True)
    (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    # The built site and the image cache are made from content: not for version control.
    # .output.spare (and a killed build's staging folder) sit beside output/.
    (directory / ".gitignore").write_text("/output/\n/.output.*\n/.cache/\n", encoding="utf-8")
    new_file(directory, "alliance", "example-chain")
    # The scaffolds reference the first alliance, which now exists.
    new_file(directory, "enterprise", "example-company")
    new_file(directory, "station", "example-station")
    new_file(directory, "listing", "example-resource")
    new_file(directory, "page", "about")
    story = new_file(directory, "story", "first-story")
    story.write_text(story.read_text(encoding="utf-8").replace("draft: true", "draft: false"),
                     encoding="utf-8")
    return directory
