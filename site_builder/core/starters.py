"""What `init`, `new` and `import` write into a new file: the commented starter templates,
the comments written beside imported values, and the placeholders an editor must replace.

Kept in core (leaf values) because the loader must know them too: a trailing `# …` comment
these files wrote is not reported as text cut off by a comment, and a placeholder left
unchanged is reported until it is replaced (validate)."""

from __future__ import annotations

# Written before every value an editor must replace; validate reports each file that still
# has one (`placeholder`), so a starter's sample name, address or text is never published
# unnoticed. Full-width brackets: no real name or address starts with them.
PLACEHOLDER = "【待改】"

TEMPLATES: dict[str, str] = {
    "alliance": """\
# 联盟基本信息。以 # 开头的行是注释，不会显示在网站上。
# 完整说明见 docs/内容编写指南.md。
name: 【待改】示例区“示例链”产业链党建联盟    # 必填：全称
short_name: 【待改】示例链党建联盟        # 卡片和导航中显示的简称
summary: 【待改】用一两句话介绍联盟：覆盖哪条产业链、联结了哪些企业党组织、主要做什么。  # 必填，200 字以内
region:                                 # 必填
  province: 江苏省                      # 必填
  city: 南京市
  district: 雨花台区
industries: [人工智能, 工业软件]         # 必填：至少一个产业
organization:                           # 必填
  type: 产业链党建联盟                  # 产业链党建联盟 / 产业链党委 / 产业链联合党委 / 联合党支部 / 产业集群党委 / 产业集群党总支 / 其他
  name: 【待改】示例产业链党建联盟
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
  address: 【待改】某市某区某路 1 号
  phone: 025-00000000
weight: 10                              # 排序：数字小的在前
""",
    "enterprise": """\
# 成员单位（企业、高校院所、服务机构）。完整说明见 docs/内容编写指南.md。
name: 【待改】示例科技有限公司              # 必填：注册全称
short_name: 【待改】示例科技
summary: 【待改】一句话介绍这家单位。
industry: 工业软件
memberships:                            # 必填：加入的联盟，至少一项
  - alliance: {alliance}                # 联盟文件夹的名字
    role: 成员企业                      # 链主 / 龙头企业 / 骨干企业 / 成员企业 / 服务机构 / 高校院所
    segment: 中游                       # 上游 / 中游 / 下游 / 服务
party_org:
  type: 党支部                          # 党委 / 党总支 / 党支部 / 联合党支部 / 未建
  name: 【待改】示例科技有限公司党支部
location:                               # 位置：纬度 lat、经度 lon（WGS-84，如用高德坐标请加 coord_system: gcj02）
  address: 【待改】某市某区某路 2 号
  # 下面的坐标只是示例，请改成本单位的位置（地图上会显示在这里）
  lat: 31.99
  lon: 118.77
tags: [专精特新]
""",
    "story": """\
---
# 案例故事：两行 --- 之间是元数据，下面是正文（Markdown）。
title: 【待改】案例标题                     # 必填
date: {today}                            # 必填：日期在未来的案例要到那天才发布
summary: 【待改】一两句话的摘要，200 字以内。     # 必填
alliances: [{alliance}]                  # 相关联盟的文件夹名
enterprises: []                          # 相关企业的文件名
tags: [供需对接]
source:                                  # 事实来源
  name: 【待改】来源报道的名称
  date: {today}
draft: true                              # 写完后改为 false 或删掉这一行
---

【待改】正文第一段。用空行分隔段落。

## 小标题

- 列表项
- 站内链接写成 [联盟页面](/alliances/{alliance}/)
""",
    "station": """\
# 党建阵地，会显示在地图上。完整说明见 docs/内容编写指南.md。
name: 【待改】示例党建工作站                # 必填
address: 【待改】某市某区某路 3 号             # 必填
type: 党建工作站                        # 党建工作站 / 先锋阵地 / 党群服务中心 / 书记工作室 / 人才综合体 / 实境课堂 / 其他
location:                               # 必填
  lat: 31.99
  lon: 118.77
  # coord_system: gcj02                 # 坐标取自高德地图时加上这一行
alliances: [{alliance}]
hours: 周一至周五 9:00–17:00
services: [政策咨询, 党员活动, 人才服务]
summary: 【待改】一句话介绍这个阵地。
""",
    "listing": """\
# “三张清单”中的一条：需求、资源或项目。完整说明见 docs/内容编写指南.md。
kind: 资源                              # 必填：需求 / 资源 / 项目（需求须写 enterprise）
title: 【待改】清单标题                     # 必填
alliance: {alliance}                    # 必填：所属联盟
# enterprise: some-enterprise           # 提出需求的企业（“需求”必填）
category: 政策                          # 融资 / 人才 / 技术 / 市场 / 用地 / 政策 / 其他
status: 征集中                          # 征集中 / 对接中 / 已解决
posted: {today}                          # 必填：发布日期
description: 【待改】说明具体内容、条件和期限。
contact: 【待改】联系人及电话
""",
    "page": """\
---
title: 【待改】页面标题                     # 必填
summary: 【待改】一句话摘要
nav_weight: 50                           # 写了就出现在导航栏，数字小的在前
---

【待改】页面正文（Markdown）。
""",
}



SITE_YAML = """\
# 网站设置。完整说明见 docs/内容编写指南.md。
title: 【待改】示例产业链党建联盟展示平台      # 必填：网站名称
description: 展示产业链党建联盟的组织、成员、案例与党建阵地。
base_url: https://www.example.gov.cn/dangjian/   # 必填：网站发布后的完整地址
language: zh-CN                          # zh-CN 或 en
publisher: 【待改】示例区委组织部
footer: "示例备案号：X ICP 备 00000000 号"
map:
  provider: osm                          # osm / tianditu / gaode / custom
"""



COMMENTS: dict[str, str] = {
    "enterprise.name": "必填：注册全称",
    "enterprise.memberships": "必填：加入的联盟，至少一项",
    "enterprise.memberships.alliance": "联盟文件夹的名字",
    "enterprise.memberships.role": "链主 / 龙头企业 / 骨干企业 / 成员企业 / 服务机构 / 高校院所",
    "enterprise.memberships.segment": "上游 / 中游 / 下游 / 服务",
    "enterprise.party_org.type": "党委 / 党总支 / 党支部 / 联合党支部 / 未建",
    "enterprise.location": "位置：纬度 lat、经度 lon（WGS-84；高德坐标写 coord_system: gcj02）",
    "station.name": "必填",
    "station.address": "必填",
    "station.type": ("党建工作站 / 先锋阵地 / 党群服务中心 / 书记工作室 / 人才综合体 / "
                     "实境课堂 / 其他"),
    "station.location": "必填：纬度 lat、经度 lon（WGS-84；高德坐标写 coord_system: gcj02）",
    "listing.kind": "必填：需求 / 资源 / 项目（需求须写 enterprise）",
    "listing.title": "必填",
    "listing.alliance": "必填：所属联盟",
    "listing.enterprise": "提出需求的企业（“需求”必填）",
    "listing.category": "融资 / 人才 / 技术 / 市场 / 用地 / 政策 / 其他",
    "listing.status": "征集中 / 对接中 / 已解决",
    "listing.posted": "必填：发布日期",
}


def _trailing_comments(text: str) -> set[str]:
    """The `# …` comments written after a value in `text` (their words, stripped)."""
    found = set()
    for line in text.splitlines():
        head, sep, comment = line.partition(" #")
        if sep and head.strip() and not head.lstrip().startswith("#"):
            found.add(comment.strip())
    return found


# The words of every comment the starter files write after a value: such a comment is
# the program's, not text of the editor's cut off by a "#" (load/rawlines.py).
STARTER_COMMENTS: frozenset[str] = frozenset(
    set().union(*(_trailing_comments(t) for t in (*TEMPLATES.values(), SITE_YAML)))
    | set(COMMENTS.values()))
