"""The theme's own words in Chinese and English: one catalogue, keyed by name."""

from __future__ import annotations

from typing import Any

from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from site_builder.validate.vocabularies import (
    CATEGORIES,
    LISTING_KINDS,
    MODELS,
    ORG_TYPES,
    PARTY_ORG_TYPES,
    ROLES,
    SEGMENTS,
    STATION_TYPES,
    STATUSES,
)

STRINGS: dict[str, tuple[str, str]] = {
    # navigation and chrome
    "nav.home": ("首页", "Home"),
    "nav.alliances": ("产业链联盟", "Alliances"),
    "nav.enterprises": ("成员单位", "Members"),
    "nav.stories": ("案例故事", "Stories"),
    "nav.stations": ("党建阵地", "Stations"),
    "nav.listings": ("三张清单", "Three lists"),
    "nav.map": ("阵地地图", "Map"),
    "nav.tags": ("标签", "Tags"),
    "nav.industries": ("产业", "Industries"),
    "nav.regions": ("地区", "Regions"),
    "nav.pages": ("页面", "Pages"),
    "nav.label": ("主导航", "Main navigation"),
    "nav.breadcrumb": ("当前位置", "You are here"),
    "skip": ("跳到正文", "Skip to content"),
    "feed": ("订阅案例（Atom）", "Stories feed (Atom)"),
    "footer.publisher": ("主办：{name}", "Published by {name}"),
    "footer.data": ("开放数据", "Open data"),
    "footer.sitemap": ("网站地图", "Sitemap"),
    "filing.sponsor": ("主办单位：", "Sponsor: "),
    "filing.organizer": ("承办单位：", "Organizer: "),
    "filing.contact": ("联系方式：", "Contact: "),
    "filing.site_code": ("网站标识码：", "Site code: "),
    "filing.conac": ("党政机关网站标识", "Party and government website seal"),
    "filing.error_report": ("我为政府网站找错", "Report an error on this government site"),
    "elder.toggle": ("长者模式", "Elder mode"),
    "elder.bar": ("长者模式设置", "Elder mode settings"),
    "elder.size": ("文字大小", "Text size"),
    "elder.smaller": ("字号减小", "Smaller text"),
    "elder.larger": ("字号加大", "Larger text"),
    "elder.contrast": ("高对比度", "High contrast"),
    "elder.spacing": ("加大行距", "Wider line spacing"),
    "elder.cursor": ("大鼠标", "Large pointer"),
    "elder.guide": ("阅读辅助线", "Reading guide"),
    "elder.speak": ("朗读正文", "Read the text aloud"),
    "elder.off": ("退出长者模式", "Leave elder mode"),
    "updated.label": ("更新日期：", "Updated: "),
    "footer.generated": ("本站由 site_builder 生成", "Built with site_builder"),
    # home
    "home.totals": ("数说联盟", "At a glance"),
    "home.totals.alliances": ("产业链联盟", "alliances"),
    "home.totals.enterprises": ("成员单位", "member organisations"),
    "home.totals.party_orgs": ("党组织", "Party organisations"),
    "home.totals.stations": ("党建阵地", "stations"),
    "home.totals.stories": ("案例故事", "stories"),
    "home.totals.note": ("以上数字由本站内容自动统计。", "Counted from the content of this site."),
    "home.featured": ("重点联盟", "Featured alliances"),
    "home.latest": ("最新案例", "Latest stories"),
    "home.all_alliances": ("全部联盟", "All alliances"),
    "home.all_stories": ("全部案例", "All stories"),
    "home.explore": ("快速查找", "Explore"),
    # alliances
    "alliances.description": ("各产业链党建联盟的组织、成员、机制与成效。",
                              "The alliances: organisation, members, mechanisms, results."),
    "alliances.count": ("共 {n} 个联盟", "{n} alliances"),
    "filter.title": ("筛选", "Filter"),
    "filter.region": ("地区", "Region"),
    "filter.industry": ("产业", "Industry"),
    "filter.model": ("共建模式", "Model"),
    "filter.kind": ("清单类型", "List"),
    "filter.status": ("进展", "Status"),
    "filter.category": ("类别", "Category"),
    "filter.all": ("全部", "All"),
    "filter.reset": ("清除筛选", "Clear filters"),
    "filter.shown": ("显示 {n} 项", "{n} shown"),
    "filter.none": ("没有符合条件的条目。", "Nothing matches these filters."),
    "alliance.intro": ("联盟简介", "About"),
    "alliance.figures": ("主要数据", "Key figures"),
    "alliance.figures.as_of": ("截至 {date}", "as of {date}"),
    "alliance.figures.source": ("来源：{source}", "Source: {source}"),
    "alliance.chain": ("产业链图谱", "The chain"),
    "alliance.chain.members": ("成员分布", "Members by segment"),
    "alliance.owner": ("链主", "Chain owner"),
    "alliance.organization": ("党组织", "Party organisation"),
    "alliance.established": ("成立于 {date}", "established {date}"),
    "alliance.model": ("共建模式", "Model"),
    "alliance.region": ("地区", "Region"),
    "alliance.industries": ("产业", "Industries"),
    "alliance.mechanisms": ("工作机制", "How it works"),
    "alliance.honors": ("所获荣誉", "Honours"),
    "alliance.stations": ("党建阵地", "Stations"),
    "alliance.stories": ("案例故事", "Stories"),
    "alliance.listings": ("三张清单", "Needs, resources and projects"),
    "alliance.contact": ("联系方式", "Contact"),
    "alliance.members": ("成员", "Members"),
    "alliance.qr": ("扫码访问本页", "Scan to open this page"),
    "share.title": ("分享 · 二维码", "Share · QR code"),
    "share.qr": ("扫码访问本页", "Scan to open this page"),
    "share.text": ("用手机扫码，或复制本页链接：", "Scan with a phone, or copy this page's link:"),
    "share.copy": ("复制链接", "Copy link"),
    "share.copied": ("已复制", "Copied"),
    "alliance.members_count": ("{n} 家成员单位", "{n} members"),
    "alliance.print": ("打印 / 存为 PDF（一链一册）", "Print / save as PDF (brochure)"),
    "contact.address": ("地址", "Address"),
    "contact.phone": ("电话", "Phone"),
    "contact.email": ("邮箱", "E-mail"),
    # enterprises
    "enterprises.description": ("加入各产业链党建联盟的企业、高校院所和服务机构。",
                                "Companies, universities and service bodies in the alliances."),
    "enterprises.count": ("共 {n} 家成员单位", "{n} members"),
    "enterprise.memberships": ("所在联盟", "Alliances"),
    "enterprise.role": ("角色", "Role"),
    "enterprise.segment": ("环节", "Segment"),
    "enterprise.party_org": ("党组织", "Party organisation"),
    "enterprise.party_members": ("党员 {n} 名", "{n} Party members"),
    "enterprise.industry": ("行业", "Industry"),
    "enterprise.website": ("官方网站", "Website"),
    "enterprise.address": ("地址", "Address"),
    "enterprise.stories": ("相关案例", "Stories"),
    "enterprise.listings": ("相关清单", "Listings"),
    "enterprise.tags": ("标签", "Tags"),
    # stories
    "stories.description": ("产业链党建赋能企业发展的案例故事。",
                            "Stories of what the alliances achieved."),
    "stories.page": ("案例故事（第 {n} 页）", "Stories (page {n})"),
    "story.source": ("事实来源", "Source"),
    "story.author": ("作者：{name}", "By {name}"),
    "story.related": ("相关案例", "Related stories"),
    "story.about": ("涉及", "About"),
    "story.newer": ("上一篇", "Newer"),
    "story.older": ("下一篇", "Older"),
    "story.draft": ("草稿（未发布）", "Draft (not published)"),
    "preview.draft": ("草稿：正式发布的网站上没有这个页面。",
                      "Draft: this page is not on the published site."),
    "story.future": ("预定发布：{date}", "Scheduled: {date}"),
    "pager.label": ("分页", "Pages"),
    "pager.prev": ("上一页", "Previous"),
    "pager.next": ("下一页", "Next"),
    "pager.page": ("第 {n} 页", "Page {n}"),
    # stations
    "stations.description": ("党建工作站、先锋阵地、党群服务中心等党建阵地。",
                             "Party-building stations, service centres and studios."),
    "stations.count": ("共 {n} 个阵地", "{n} stations"),
    "stations.other_region": ("其他", "Other"),
    "station.type": ("类型", "Type"),
    "station.address": ("地址", "Address"),
    "station.hours": ("开放时间", "Opening hours"),
    "station.phone": ("电话", "Phone"),
    "station.services": ("服务项目", "Services"),
    "station.alliances": ("服务联盟", "Serves"),
    "station.coordinates": ("坐标", "Coordinates"),
    # listings
    "listings.description": ("企业需求清单、部门资源清单、行动项目清单。",
                             "Enterprise needs, available resources and action projects."),
    "listings.count": ("共 {n} 条", "{n} entries"),
    "listing.kind": ("类型", "List"),
    "listing.status": ("进展", "Status"),
    "listing.category": ("类别", "Category"),
    "listing.posted": ("发布日期", "Posted"),
    "listing.alliance": ("所属联盟", "Alliance"),
    "listing.enterprise": ("相关企业", "Enterprise"),
    "listing.contact": ("联系方式", "Contact"),
    # taxonomies
    "taxonomy.tags": ("标签", "Tags"),
    "taxonomy.industries": ("产业", "Industries"),
    "taxonomy.regions": ("地区", "Regions"),
    "taxonomy.tags.description": ("按标签浏览案例与成员单位。", "Browse by tag."),
    "taxonomy.industries.description": ("按产业浏览联盟与成员单位。", "Browse by industry."),
    "taxonomy.regions.description": ("按地区浏览产业链联盟。", "Browse by region."),
    "taxonomy.tags.term": ("标签“{name}”下的案例与成员单位。", "Everything tagged {name}."),
    "taxonomy.industries.term": ("“{name}”产业的联盟与成员单位。",
                                 "Alliances and members in {name}."),
    "taxonomy.regions.term": ("{name}的产业链党建联盟。", "Alliances in {name}."),
    "term.count": ("{n} 项", "{n} items"),
    "kind.alliance": ("联盟", "Alliances"),
    "kind.enterprise": ("成员单位", "Members"),
    "kind.story": ("案例", "Stories"),
    "kind.station": ("阵地", "Stations"),
    "kind.listing": ("清单", "Listings"),
    # search
    "search.title": ("站内搜索", "Search"),
    "search.description": ("搜索联盟、成员单位、案例、阵地和清单。",
                           "Search alliances, members, stories, stations and listings."),
    "search.label": ("搜索本站", "Search this site"),
    "search.placeholder": ("名称或关键词", "Name or keyword"),
    "search.submit": ("搜索", "Search"),
    "search.hint": ("可输入企业、联盟、地区或阵地名称的任意部分，如“沙钢”“软件谷”。",
                    "Any part of a name works."),
    "search.kinds": ("只看", "Show only"),
    "search.searching": ("正在搜索……", "Searching…"),
    "search.found": ("“{q}”：找到 {n} 条结果", "{n} results for “{q}”"),
    "search.none": ("没有找到与“{q}”相关的内容。", "Nothing found for “{q}”."),
    "search.error": ("搜索暂时不可用，请按栏目浏览。",
                     "Search is not available; please browse the sections."),
    "search.more": ("显示更多结果", "More results"),
    "search.name_match": ("名称匹配", "name match"),
    "search.noscript": ("搜索需要浏览器启用脚本；也可以按栏目浏览：",
                        "Search needs JavaScript; you can browse the sections instead:"),
    # map
    "map.description": ("按地区查找身边的党建阵地。", "Find a Party-building station near you."),
    "map.list": ("阵地列表", "All stations"),
    "map.alliance": ("阵地与成员分布", "Stations and members on the map"),
    "map.members": ("成员单位", "Member organisations"),
    "map.address": ("地址", "Address"),
    "map.hours": ("开放时间", "Hours"),
    "map.services": ("服务", "Services"),
    "map.navigate": ("导航", "Directions"),
    "map.amap": ("高德地图", "AMap"),
    "map.baidu": ("百度地图", "Baidu Maps"),
    "map.filter": ("筛选与图例", "Filter and legend"),
    "map.types": ("类型", "Type"),
    "map.alliances": ("联盟", "Alliance"),
    "map.locate": ("离我最近的阵地", "Nearest station"),
    "map.locating": ("正在获取您的位置……", "Finding your location…"),
    "map.nearest": ("离您最近的阵地：{name}（约 {km} 公里）",
                    "Nearest station: {name} (about {km} km)"),
    "map.locateFailed": ("无法获取您的位置，请在下方列表中查找。",
                         "Your location is not available; please use the list below."),
    "map.shown": ("地图上显示 {n} 个地点", "{n} places on the map"),
    "map.review": ("审图号：", "Map review no. "),
    "map.region": ("地图", "Map"),
    "map.noscript": ("地图需要浏览器启用脚本；下面的列表列出了全部地点。",
                     "The map needs JavaScript; every place is listed below."),
    "map.credits": ("底图：", "Base map: "),
    "map.open_data": ("开放数据", "Open data"),
    "map.open_data.text": ("全部阵地的位置数据可以下载：", "Download the station data: "),
    "map.navigate_here": ("到这里去", "Get directions"),
    # 404
    "notfound.title": ("页面不存在", "Page not found"),
    "notfound.description": ("您访问的页面不存在或已移动。",
                             "The page you asked for does not exist or has moved."),
    "notfound.back": ("返回首页", "Back to the home page"),
    # punctuation that differs between the languages
    "p.list": ("、", ", "),
    "p.comma": ("，", ", "),
    "p.colon": ("：", ": "),
    "p.open": ("（", " ("),
    "p.close": ("）", ")"),
    "listings.group": ("{kind}清单", "{kind}"),
    # misc
    "more": ("查看更多", "More"),
    "read_more": ("阅读全文", "Read more"),
    "none_yet": ("暂无", "None yet"),
    "updated": ("更新于 {date}", "Updated {date}"),
}

_ENUMS = (ORG_TYPES, MODELS, SEGMENTS, ROLES, PARTY_ORG_TYPES, STATION_TYPES, LISTING_KINDS,
          CATEGORIES, STATUSES)
_ENUM_EN = {c.zh: c.en for enum in _ENUMS for c in enum.choices}
# English display words for enumerated values whose aliases are identifiers.
_ENUM_DISPLAY_EN = {
    "chain_alliance": "industrial-chain Party alliance",
    "chain_committee": "industrial-chain Party committee",
    "chain_joint_committee": "industrial-chain joint Party committee",
    "joint_branch": "joint Party branch",
    "cluster_committee": "industry-cluster Party committee",
    "cluster_general_branch": "industry-cluster general Party branch",
    "department_led": "led by government departments",
    "leader_driven": "driven by leading enterprises",
    "locality_integrated": "integrated by the local Party committee",
    "association_linked": "linked by trade associations",
    "chain_owner": "chain owner",
    "general_branch": "general Party branch",
    "committee": "Party committee",
    "branch": "Party branch",
    "none": "not yet established",
    "workstation": "Party-building workstation",
    "pioneer_post": "pioneer post",
    "service_center": "Party and community service centre",
    "secretary_studio": "Party secretary studio",
    "talent_complex": "talent complex",
    "field_classroom": "field classroom",
}


def translate(key: str, lang: str, **values: Any) -> str:
    """The theme's word for `key` in `lang`, with {placeholders} filled."""
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def enum_label(value: str, lang: str) -> str:
    """A Chinese enumerated value as readers of `lang` should see it."""
    if lang != "en":
        return value
    alias = _ENUM_EN.get(value, value)
    return _ENUM_DISPLAY_EN.get(alias, alias.replace("_", " "))


def format_number(value: Any, lang: str) -> str:
    """13.45 → '13.45'; 4355 → '4355' (zh) or '4,355' (en); 2.0 → '2'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}" if lang == "en" or abs(value) >= 100_000 else str(value)
    if isinstance(value, float):
        return f"{value:,.10g}" if lang == "en" else f"{value:.10g}"
    return str(value)


class FoldTranslations(NodeTransformer):
    """Replace `t('key')` in a parsed template by the text itself, once, when the template
    is compiled: the theme calls t() fifty times a page (a million calls at N=300, each
    through Jinja's call machinery) for words that depend only on the language.

    Only a call with one literal key of the catalogue and nothing else is folded (anything
    else, an unknown key too, stays a call and behaves as before), and nothing is folded in
    a template that has a `t` of its own (assigned, a macro parameter, imported)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, tree: nodes.Template) -> nodes.Template:
        if any(n.name == "t" for n in tree.find_all(nodes.Name) if n.ctx != "load") or any(
                n.target == "t" for n in tree.find_all(nodes.Import)) or any(
                "t" in (name if isinstance(name, str) else name[-1] for name in n.names)
                for n in tree.find_all(nodes.FromImport)):
            return tree
        return self.visit(tree)

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        if (isinstance(node.node, nodes.Name) and node.node.name == "t"
                and len(node.args) == 1 and isinstance(node.args[0], nodes.Const)
                and node.args[0].value in STRINGS and not node.kwargs
                and node.dyn_args is None and node.dyn_kwargs is None):
            return nodes.Const(translate(node.args[0].value, self.lang), lineno=node.lineno)
        return self.generic_visit(node)
