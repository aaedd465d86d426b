"""Generate a large, valid and realistic content/ folder for the benchmarks.

    python benchmarks/generate_site.py --alliances 300 --out /tmp/sb-300
    python benchmarks/generate_site.py --stations-only 5000 --out /tmp/sb-5000

Per alliance: about 40 member enterprises, 10 stories, 5 stations and 4 listings, written in
the style of the demo site (content/) from word pools of the domain, in real provinces, cities
and districts with plausible WGS-84 coordinates. The same arguments always give byte-identical
files (one `random.Random(seed)`, nothing that depends on the clock or on hash order).

`--stations-only M` makes a map-heavy site instead: a few alliances (5 unless `--alliances` is
given) with their members, stories and listings, and M stations spread over all of China.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pypinyin import lazy_pinyin

GENERATOR_VERSION = 2  # bump when the output changes, so benchmarks regenerate cached sites
MANIFEST = ".benchmark-site.json"  # beside content/, never inside it
DIRTY = ".benchmark-dirty"  # present while a benchmark has edited the content

ENTERPRISES_PER_ALLIANCE = (38, 42)  # inclusive range: "about 40"
STORIES_PER_ALLIANCE = 10
STATIONS_PER_ALLIANCE = 5
LISTINGS_PER_ALLIANCE = 4
STATIONS_ONLY_ALLIANCES = 5

# ---- places ------------------------------------------------------------------------------
# (province, city, telephone area code, weight, ((district, lat, lon), ...)), WGS-84.

REGIONS: tuple[tuple[str, str, str, int, tuple[tuple[str, float, float], ...]], ...] = (
    ("江苏省", "南京市", "025", 5, (("雨花台区", 31.99, 118.77), ("江宁区", 31.95, 118.84),
                                 ("栖霞区", 32.12, 118.91), ("浦口区", 32.06, 118.63))),
    ("江苏省", "苏州市", "0512", 6, (("相城区", 31.37, 120.64), ("吴中区", 31.26, 120.63),
                                  ("昆山市", 31.39, 120.98), ("张家港市", 31.88, 120.56),
                                  ("常熟市", 31.65, 120.75))),
    ("江苏省", "无锡市", "0510", 4, (("新吴区", 31.55, 120.36), ("江阴市", 31.91, 120.28),
                                  ("宜兴市", 31.34, 119.82))),
    ("江苏省", "常州市", "0519", 3, (("武进区", 31.70, 119.94), ("新北区", 31.83, 119.97))),
    ("江苏省", "南通市", "0513", 3, (("崇川区", 32.00, 120.86), ("海门区", 31.87, 121.18))),
    ("浙江省", "杭州市", "0571", 5, (("滨江区", 30.21, 120.21), ("余杭区", 30.42, 120.30),
                                  ("萧山区", 30.18, 120.26))),
    ("浙江省", "宁波市", "0574", 4, (("北仑区", 29.90, 121.84), ("鄞州区", 29.82, 121.55),
                                  ("慈溪市", 30.17, 121.27))),
    ("浙江省", "温州市", "0577", 3, (("乐清市", 28.11, 120.97), ("瓯海区", 27.97, 120.64))),
    ("浙江省", "嘉兴市", "0573", 3, (("海宁市", 30.51, 120.68), ("嘉善县", 30.83, 120.93))),
    ("浙江省", "绍兴市", "0575", 2, (("柯桥区", 30.08, 120.49), ("上虞区", 30.03, 120.87))),
    ("上海市", "上海市", "021", 5, (("松江区", 31.03, 121.23), ("嘉定区", 31.38, 121.27),
                                 ("浦东新区", 31.22, 121.54), ("闵行区", 31.11, 121.38))),
    ("北京市", "北京市", "010", 4, (("海淀区", 39.96, 116.30), ("大兴区", 39.73, 116.34),
                                 ("昌平区", 40.22, 116.23))),
    ("天津市", "天津市", "022", 2, (("滨海新区", 39.00, 117.71), ("西青区", 39.14, 117.01))),
    ("广东省", "深圳市", "0755", 5, (("南山区", 22.53, 113.93), ("宝安区", 22.55, 113.88),
                                  ("龙岗区", 22.72, 114.25))),
    ("广东省", "广州市", "020", 4, (("黄埔区", 23.10, 113.46), ("番禺区", 22.94, 113.38),
                                 ("南沙区", 22.80, 113.53))),
    ("广东省", "东莞市", "0769", 3, (("长安镇", 22.80, 113.80), ("虎门镇", 22.82, 113.67))),
    ("广东省", "佛山市", "0757", 3, (("顺德区", 22.80, 113.29), ("南海区", 23.03, 113.14))),
    ("山东省", "青岛市", "0532", 3, (("黄岛区", 35.96, 120.20), ("城阳区", 36.31, 120.40))),
    ("山东省", "济南市", "0531", 3, (("历下区", 36.67, 117.08), ("章丘区", 36.68, 117.53))),
    ("山东省", "烟台市", "0535", 2, (("福山区", 37.50, 121.27), ("莱山区", 37.51, 121.45))),
    ("山东省", "潍坊市", "0536", 2, (("寿光市", 36.86, 118.79), ("高密市", 36.38, 119.75))),
    ("安徽省", "合肥市", "0551", 3, (("蜀山区", 31.85, 117.26), ("包河区", 31.79, 117.31))),
    ("安徽省", "芜湖市", "0553", 2, (("鸠江区", 31.36, 118.39),)),
    ("江西省", "南昌市", "0791", 3, (("红谷滩区", 28.69, 115.85), ("青山湖区", 28.68, 115.96))),
    ("江西省", "九江市", "0792", 2, (("濂溪区", 29.67, 116.00),)),
    ("福建省", "厦门市", "0592", 3, (("思明区", 24.45, 118.08), ("集美区", 24.58, 118.10))),
    ("福建省", "福州市", "0591", 2, (("鼓楼区", 26.08, 119.30), ("长乐区", 25.96, 119.52))),
    ("福建省", "泉州市", "0595", 2, (("晋江市", 24.78, 118.55),)),
    ("湖北省", "武汉市", "027", 4, (("洪山区", 30.50, 114.34), ("江夏区", 30.38, 114.32),
                                 ("蔡甸区", 30.58, 114.03))),
    ("湖北省", "襄阳市", "0710", 2, (("襄州区", 32.09, 112.21),)),
    ("湖南省", "长沙市", "0731", 3, (("岳麓区", 28.23, 112.94), ("雨花区", 28.14, 113.04),
                                  ("长沙县", 28.25, 113.08))),
    ("湖南省", "株洲市", "0731", 2, (("天元区", 27.83, 113.08),)),
    ("四川省", "成都市", "028", 4, (("双流区", 30.57, 103.92), ("郫都区", 30.80, 103.90),
                                 ("龙泉驿区", 30.56, 104.27))),
    ("四川省", "绵阳市", "0816", 2, (("涪城区", 31.46, 104.76),)),
    ("四川省", "宜宾市", "0831", 2, (("翠屏区", 28.77, 104.62),)),
    ("重庆市", "重庆市", "023", 4, (("渝北区", 29.72, 106.63), ("璧山区", 29.59, 106.23),
                                 ("江津区", 29.29, 106.26))),
    ("陕西省", "西安市", "029", 3, (("雁塔区", 34.22, 108.95), ("长安区", 34.16, 108.91),
                                 ("高陵区", 34.53, 109.09))),
    ("河南省", "郑州市", "0371", 3, (("金水区", 34.80, 113.66), ("中牟县", 34.72, 113.98))),
    ("河南省", "洛阳市", "0379", 2, (("洛龙区", 34.62, 112.46),)),
    ("河北省", "石家庄市", "0311", 2, (("藁城区", 38.02, 114.85),)),
    ("河北省", "唐山市", "0315", 2, (("曹妃甸区", 39.27, 118.46),)),
    ("辽宁省", "沈阳市", "024", 2, (("浑南区", 41.71, 123.45),)),
    ("辽宁省", "大连市", "0411", 2, (("甘井子区", 38.95, 121.52),)),
    ("吉林省", "长春市", "0431", 2, (("绿园区", 43.88, 125.25),)),
    ("黑龙江省", "哈尔滨市", "0451", 2, (("松北区", 45.81, 126.56),)),
    ("山西省", "太原市", "0351", 2, (("小店区", 37.74, 112.56),)),
    ("内蒙古自治区", "包头市", "0472", 1, (("九原区", 40.61, 109.97),)),
    ("内蒙古自治区", "鄂尔多斯市", "0477", 1, (("康巴什区", 39.61, 109.78),)),
    ("广西壮族自治区", "柳州市", "0772", 2, (("柳南区", 24.31, 109.38),)),
    ("广西壮族自治区", "南宁市", "0771", 1, (("青秀区", 22.79, 108.39),)),
    ("云南省", "昆明市", "0871", 1, (("呈贡区", 24.89, 102.82),)),
    ("贵州省", "贵阳市", "0851", 1, (("观山湖区", 26.60, 106.63),)),
    ("甘肃省", "兰州市", "0931", 1, (("安宁区", 36.10, 103.72),)),
    ("宁夏回族自治区", "银川市", "0951", 1, (("金凤区", 38.47, 106.24),)),
    ("新疆维吾尔自治区", "乌鲁木齐市", "0991", 1, (("新市区", 43.85, 87.57),)),
    ("新疆维吾尔自治区", "克拉玛依市", "0990", 1, (("克拉玛依区", 45.60, 84.87),)),
    ("青海省", "西宁市", "0971", 1, (("城北区", 36.67, 101.76),)),
    ("西藏自治区", "拉萨市", "0891", 1, (("堆龙德庆区", 29.65, 91.00),)),
    ("海南省", "海口市", "0898", 1, (("美兰区", 20.03, 110.35),)),
    ("海南省", "三亚市", "0898", 1, (("崖州区", 18.35, 109.17),)),
)


@dataclass(frozen=True)
class Place:
    """One district: where an alliance, its members and its stations are."""

    province: str
    city: str
    district: str
    area_code: str
    lat: float
    lon: float

    @property
    def city_short(self) -> str:
        return _strip_suffix(self.city, ("市",))

    @property
    def full(self) -> str:
        """上海市松江区, 江苏省苏州市相城区: how an address starts."""
        head = self.city if self.province == self.city else self.province + self.city
        return head + self.district

    @property
    def city_district(self) -> str:
        """上海市松江区, 苏州市相城区: how a name starts."""
        return self.city + self.district

    @property
    def district_short(self) -> str:
        return _strip_suffix(self.district, ("新区", "区", "市", "县", "镇"))


def _strip_suffix(name: str, suffixes: Sequence[str]) -> str:
    for suffix in suffixes:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


PLACES: tuple[Place, ...] = tuple(
    Place(province, city, district, code, lat, lon)
    for province, city, code, _weight, districts in REGIONS
    for district, lat, lon in districts
)
PLACE_WEIGHTS: tuple[int, ...] = tuple(
    w for _p, _c, _code, w, districts in REGIONS for _d in districts
)

# ---- industry chains ---------------------------------------------------------------------


@dataclass(frozen=True)
class Chain:
    """An industry chain: its names, segments, and the words its companies and stories use."""

    name: str
    code: str  # ASCII, for slugs
    related: tuple[str, ...]  # more industry names an alliance of this chain lists
    business: tuple[str, ...]  # words in company names: 智能科技, 半导体 …
    segments: tuple[str, str, str, str]  # 上游, 中游, 下游, 服务 names
    products: tuple[str, ...]
    topics: tuple[str, ...]  # technology topics for 科技攻关


CHAINS: tuple[Chain, ...] = (
    Chain(
        "集成电路", "ic",
        ("半导体材料", "电子信息"),
        ("半导体", "微电子", "芯片科技", "电子材料"),
        ("硅片、光刻胶与电子特气", "芯片设计与晶圆制造",
         "封装测试与终端应用", "EDA工具与检测认证服务"),
        ("功率芯片", "车规级MCU", "12英寸硅片", "先进封装基板"),
        ("高纯电子化学品国产化", "车规级芯片可靠性验证", "晶圆缺陷检测算法"),
    ),
    Chain(
        "人工智能", "ai",
        ("大数据", "算力服务"),
        ("智能科技", "数据科技", "信息技术", "智算科技"),
        ("算力基础设施与数据资源", "算法模型与通用平台", "行业智能应用", "数据标注与安全评估服务"),
        ("行业大模型", "智能质检系统", "边缘计算盒子", "智能客服平台"),
        ("工业视觉缺陷识别", "国产算力适配", "大模型行业微调"),
    ),
    Chain(
        "智能网联汽车", "icv",
        ("汽车电子", "车联网"),
        ("汽车电子", "智能驾驶", "车联网科技", "传感技术"),
        ("激光雷达、芯片与传感器", "智能座舱与自动驾驶系统",
         "整车制造与出行服务", "测试示范与检测认证"),
        ("激光雷达", "域控制器", "车载摄像头模组", "V2X路侧单元"),
        ("多传感器融合感知", "车路协同通信", "线控底盘"),
    ),
    Chain(
        "新能源汽车", "nev",
        ("动力电池", "汽车零部件"),
        ("新能源", "电驱科技", "汽车部件", "电池科技"),
        ("锂电材料与电芯", "电池包、电机与电控", "整车与充换电运营", "回收利用与检测服务"),
        ("动力电池包", "驱动电机", "热管理系统", "充电桩"),
        ("固态电池电解质", "电池热失控预警", "电驱系统轻量化"),
    ),
    Chain(
        "生物医药", "biomed",
        ("医疗器械", "中医药"),
        ("生物医药", "药业", "生物科技", "基因科技"),
        ("原料药与生物试剂", "创新药与生物制品研发生产", "医药流通与临床应用", "CRO与注册申报服务"),
        ("单克隆抗体", "中药配方颗粒", "体外诊断试剂", "医用敷料"),
        ("抗体药物工艺放大", "中药材提取纯化", "细胞培养基国产化"),
    ),
    Chain(
        "高端装备", "equip",
        ("智能制造", "工业母机"),
        ("精密机械", "智能装备", "数控科技", "机电"),
        ("基础零部件与功能部件", "整机设计与系统集成", "行业应用与运维", "工业设计与检验检测服务"),
        ("五轴数控机床", "精密减速器", "工业机器人", "智能产线"),
        ("高精度伺服控制", "机床热误差补偿", "机器人去毛刺工艺"),
    ),
    Chain(
        "新材料", "material",
        ("化工新材料", "先进金属材料"),
        ("新材料", "复合材料", "材料科技", "合金"),
        ("矿产资源与基础化工原料", "功能材料与结构材料制造",
         "终端制品与应用", "检测中试与技术服务"),
        ("碳纤维复合材料", "高温合金", "特种工程塑料", "电子浆料"),
        ("碳纤维原丝稳定化", "高温合金纯净化冶炼", "材料中试放大"),
    ),
    Chain(
        "工业软件", "software",
        ("软件和信息服务", "信创"),
        ("软件", "信息科技", "网络科技", "数字技术"),
        ("基础软件与开发工具", "研发设计与生产控制软件",
         "行业解决方案与系统集成", "测评适配与安全服务"),
        ("MES系统", "工业APP", "国产嵌入式操作系统", "PLM平台"),
        ("国产工业软件内核", "信创环境适配", "工业互联网安全"),
    ),
    Chain(
        "光伏储能", "pv",
        ("新能源", "储能"),
        ("光伏科技", "储能科技", "新能源", "能源科技"),
        ("多晶硅、硅片与辅材", "电池片与组件制造", "电站建设与储能应用", "运维检测与绿电交易服务"),
        ("TOPCon电池片", "储能变流器", "光伏组件", "户用储能系统"),
        ("钙钛矿叠层电池", "储能电池一致性管理", "光伏组件回收"),
    ),
    Chain(
        "纺织服装", "textile",
        ("化纤", "时尚产业"),
        ("纺织", "服饰", "化纤", "家纺"),
        ("化纤原料与纱线", "织造、印染与面料", "服装品牌与电商销售", "设计研发与检测服务"),
        ("功能性面料", "再生涤纶", "智能穿戴服装", "家纺制品"),
        ("印染废水深度处理", "再生纤维制备", "数码印花"),
    ),
    Chain(
        "绿色食品", "food",
        ("农产品加工", "预制菜"),
        ("食品", "农业科技", "粮油", "乳业"),
        ("种养基地与原料供应", "精深加工与中央厨房", "冷链物流与商超渠道", "质量追溯与品牌服务"),
        ("预制菜", "有机大米", "低温乳制品", "功能性饮品"),
        ("冷链保鲜", "食品安全快检", "农产品精深加工"),
    ),
    Chain(
        "冶金新材料", "metal",
        ("钢铁", "金属制品"),
        ("钢铁", "金属制品", "特钢", "冶金科技"),
        ("铁矿石、废钢与辅料", "冶炼轧制与特钢生产", "金属制品与下游用钢", "检测认证与物流服务"),
        ("高强度汽车板", "海工用钢", "精密钢管", "不锈钢带材"),
        ("氢冶金", "钢渣资源化利用", "特钢夹杂物控制"),
    ),
    Chain(
        "低空经济", "lowalt",
        ("通用航空", "商业航天"),
        ("航空科技", "无人机", "飞行器", "空天科技"),
        ("航空材料、电池与飞控芯片", "整机研发与总装",
         "物流配送、巡检与文旅应用", "适航审定与空域服务"),
        ("eVTOL飞行器", "工业级无人机", "飞控系统", "低空监视雷达"),
        ("eVTOL适航验证", "无人机集群调度", "航空级电池"),
    ),
    Chain(
        "物联网", "iot",
        ("传感器", "智慧城市"),
        ("物联科技", "传感技术", "智联科技", "电子"),
        ("MEMS传感器与通信模组", "终端设备与平台软件", "智慧城市与工业应用", "标识解析与测试服务"),
        ("NB-IoT模组", "MEMS传感器", "智能水表", "工业网关"),
        ("低功耗广域通信", "传感器封装", "工业标识解析"),
    ),
    Chain(
        "船舶海工", "marine",
        ("海洋工程", "港航物流"),
        ("船舶", "海洋工程", "船舶配套", "海工装备"),
        ("船用钢材与配套设备", "船舶设计与总装建造", "航运与港口应用", "船检、金融与维修服务"),
        ("LNG运输船", "海上风电安装平台", "船用发动机", "智能船舶系统"),
        ("LNG船围护系统", "船舶智能焊接", "绿色船舶动力"),
    ),
    Chain(
        "医疗器械", "meddevice",
        ("生物医药", "康复辅具"),
        ("医疗器械", "医疗科技", "生命科技", "医学影像"),
        ("精密部件与医用材料", "影像设备与诊疗器械制造",
         "医院与康复机构应用", "注册检验与临床试验服务"),
        ("医用内窥镜", "高值耗材", "康复机器人", "超声影像设备"),
        ("医用高分子材料", "影像探测器", "手术机器人精度控制"),
    ),
    Chain(
        "绿色化工", "chem",
        ("精细化工", "新材料"),
        ("化工", "精细化工", "化学", "新材料科技"),
        ("石化原料与基础化学品", "精细化学品与专用化学品",
         "涂料、医药中间体等下游应用", "安全环保与物流服务"),
        ("水性涂料", "电子级化学品", "生物基材料", "医药中间体"),
        ("连续流微反应工艺", "VOCs治理", "催化剂国产化"),
    ),
    Chain(
        "现代物流", "logistics",
        ("供应链管理", "跨境电商"),
        ("供应链", "物流", "国际货运", "仓储"),
        ("仓储设施与运力资源", "干线运输与多式联运", "城市配送与跨境电商", "金融、报关与信息服务"),
        ("智能仓储系统", "冷链运输", "中欧班列集拼", "跨境海外仓"),
        ("多式联运数据互通", "无人仓调度", "冷链温控追溯"),
    ),
)

BRANDS = (
    "恒远", "华芯", "中科", "博瑞", "金诚", "天宇", "鼎盛", "汇川", "瑞泰", "宏达", "新元",
    "银河", "海纳", "众合", "启明", "卓越", "联创", "星辰", "长风", "远航", "东升", "华创",
    "科达", "精工", "领航", "智源", "云帆", "蓝海", "昊天", "凯盛", "德润", "泰和", "安信",
    "聚能", "至臻", "宏图", "锦程", "华瑞", "通达", "正源", "国盛", "永信", "方圆", "天成",
    "嘉禾", "明德", "鸿鹄", "创维", "晶合", "睿思", "思源", "立昂", "迈科", "同创", "汇智",
    "鑫源", "沃德", "科瑞", "优尼", "英诺", "微纳", "光启", "弘毅", "和光", "信达", "振华",
    "远景", "晨曦", "朗新", "敏行", "华锐", "拓普", "瀚海", "凌云", "九州", "中天", "苏新",
    "恒润", "佳禾", "万通", "金桥", "天际", "云图", "星河", "新锐", "宏远", "建元", "德邦",
    "开元", "盛世", "同力", "嘉盛", "长青", "松禾", "骏马", "浩瀚", "东方", "南风", "北辰",
    "格致", "致远", "清源", "聚光", "融通", "铭诚", "泽宇", "华新", "卓越", "红旗", "金石",
    "安达", "宇航", "赛诺", "百川", "丰华",
)
SURNAMES = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高",
    "林", "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯",
)
GIVEN = (
    "海云", "建国", "晓峰", "丽娟", "志强", "文博", "秀英", "伟", "敏", "静", "磊", "洋", "勇",
    "军", "杰", "娜", "涛", "明", "超", "霞", "平", "刚", "红梅", "春华", "国庆", "立新", "雪松",
    "思远", "嘉怡", "子涵",
)
TAGS = (
    "党建引领", "链主带动", "供需对接", "科技攻关", "人才引育", "营商环境", "党员先锋",
    "三张清单", "产学研", "政企直通车", "融资服务", "专精特新", "智改数转", "绿色制造",
    "组织覆盖", "联建共建", "揭榜挂帅", "书记项目", "青年人才", "技能人才", "知识产权",
    "数字化转型", "稳链强链", "招商引资", "企业出海", "标准制定", "质量提升", "安全生产",
    "志愿服务", "园区党建",
)
PROBLEMS = ("融资难", "招工难", "用地紧张", "订单不稳定", "关键技术受制于人", "检测认证周期长",
            "高端人才留不住", "政策信息不对称", "物流成本高", "配套半径过长")
BENEFITS = ("少跑腿", "拿到订单", "找到人才", "解决融资难题", "缩短审批时间", "就近找到配套")
PARKS = ("高新区", "经开区", "科技园", "产业园", "智造园", "创新港", "软件园", "科创城")
ROADS = ("科创大道", "创业路", "兴业路", "新城大道", "工业园路", "高新路", "纬三路", "经二路",
         "智慧大道", "创新路", "滨河路", "湖滨路")
SLOGANS = ("红链聚力", "链心向党", "党建强链", "红色引擎", "链上先锋", "同心聚链", "红链赋能",
           "党旗红·产业兴", "链聚新质", "红心链动", "聚链成群", "初心链")
ORG_TYPES = ("产业链党建联盟", "产业链党建联盟", "产业链党委", "产业链联合党委", "联合党支部",
             "产业集群党委", "产业集群党总支")
MODELS = ("职能部门牵引型", "龙头企业带动型", "属地党委整合型", "行业协会串联型")
PAPERS = ("日报", "晚报", "发布", "组工")
AUTHORS = ("本站编辑部", "区委组织部", "区委两新工委", "联盟秘书处")

MECHANISMS: tuple[tuple[str, str], ...] = (
    ("链长制", "由区领导担任产业链链长，统筹协调链上企业的重大诉求和重点项目。"),
    ("三定工作法", "定期碰头、定员联络、定向指导，链上问题按层级分流处置、限时办结。"),
    ("联席会议", "产业链党建联席会议每季度召开一次，研究企业诉求和年度重点攻坚项目。"),
    ("政企直通车", "为链上企业开通直达通道，职能部门组团上门问诊，变“等上门”为“登上门”。"),
    ("三张清单", "动态维护企业需求清单、部门资源清单和行动项目清单，链上企业征集、发布、认领。"),
    ("党员先锋岗", "在研发、生产、质检一线设立党员先锋岗和责任区，党员带头攻坚。"),
    ("书记项目", "链上各党组织书记每年领办一个解决企业实际问题的项目，年底晾晒成效。"),
    ("揭榜挂帅", "链主企业发布技术需求榜单，高校院所和中小企业党员团队揭榜攻关。"),
    ("组团服务", "组织、人社、科技、金融等部门组成服务团，定期到园区集中办公。"),
    ("人才驿站", "在园区设立人才驿站，提供政策咨询、子女入学、人才公寓等一站式服务。"),
    ("共享用工", "链上企业党组织牵头调剂用工余缺，淡旺季互相支援技术工人。"),
    ("联学联建", "上下游企业党组织结对共建，联合开展主题党日、技术交流和岗位练兵。"),
    ("红色代办", "党员代办员为链上企业全程代办项目审批、证照办理等事项。"),
    ("一链一册", "每条产业链编制一本图谱手册，标注链主、配套企业和短板环节。"),
)
HONORS: tuple[tuple[str, str], ...] = (
    ("全国“两新”组织党建工作优秀案例", "中央组织部有关刊物"),
    ("省级产业链党建示范点", "省委组织部"),
    ("市级“五星级”基层党组织", "市委组织部"),
    ("省级先进制造业集群", "省工业和信息化厅"),
    ("国家级中小企业特色产业集群", "工业和信息化部"),
)
STAT_LABELS: tuple[tuple[str, str, int, int], ...] = (
    ("联结企业党组织", "个", 20, 180), ("链上企业", "家", 60, 600), ("党员人数", "名", 300, 6000),
    ("解决企业诉求", "项", 30, 400), ("发布需求清单", "条", 40, 500),
    ("促成合作项目", "个", 10, 150), ("引进高层次人才", "名", 20, 800),
    ("党员示范岗", "个", 20, 400), ("组建攻关团队", "支", 3, 40), ("链上年产值", "亿元", 50, 3000),
)

# ---- sentences ---------------------------------------------------------------------------
# Slots: {A} alliance short name, {D} district, {C} city, {I} industry, {E}/{E2} enterprises,
# {M} mechanism, {T} technology topic, {P} product, {X} a problem, {n} {n2} counts,
# {money} 亿元, {pct} {pct0} percentages, {y} a year.

LEAD = (
    "{D}是{C}{I}产业集聚度较高的区域之一，链上企业数量多、分工细，协作需求旺盛。",
    "近年来，{A}坚持把党组织建在产业链上，以党建链串起创新链、产业链、人才链和资金链。",
    "在{A}，链主企业{E}与上下游{n}家配套企业形成了紧密的协作关系。",
    "产业链延伸到哪里，党的组织和工作就覆盖到哪里，这是{A}成立之初定下的原则。",
    "{C}把{I}作为重点培育的产业链之一，{D}是这条链上企业最集中的区域。",
)
PROBLEM = (
    "过去，链上中小企业普遍面临{X}、{X2}等难题，单靠一家企业很难解决。",
    "{E}负责人坦言，{T}一度是企业发展的“卡脖子”环节。",
    "企业多而分散，党组织覆盖不到位，企业之间各干各的，难以形成合力。",
    "一些配套企业反映，{X}让他们错过了不少订单。",
)
ACTION = (
    "联盟牵头召开供需对接会，现场促成合作意向{n}项，签约金额{money}亿元。",
    "通过“{M}”，{n}名党员骨干组成攻关小组，围绕{T}开展联合攻关。",
    "区委组织部会同科技、人社、商务等部门，为链上企业编制“一企一策”服务清单。",
    "{E}党支部与{E2}党支部开展联学联建，双方在{P}领域实现就近配套。",
    "联盟建立“链长+链主+链党委”协同机制，每季度召开一次联席会议，研究解决企业诉求。",
    "党员帮办员上门服务，帮助企业在{n}个工作日内完成项目审批。",
    "依托{D}人才驿站，联盟累计引进高层次人才{n}名、培养技能人才{n2}名。",
    "联盟发布需求清单、资源清单和项目清单，动态更新企业诉求{n}条。",
    "{E}把{P}的研发需求挂上“揭榜”平台，高校院所党员专家团队很快揭榜。",
    "金融机构党组织走进园区，为链上企业量身定制“链e贷”等信用产品。",
    "链上企业党组织书记每月碰头一次，把生产经营中的堵点难点摆到桌面上。",
)
RESULT = (
    "项目投产后，预计年新增产值{money}亿元，带动上下游配套企业{n}家。",
    "{y}年，链上企业共申请发明专利{n}件，{n2}家企业获评专精特新“小巨人”。",
    "目前，联盟已累计解决企业各类诉求{n}项，企业满意度达{pct}%。",
    "{E}的{P}本地配套率由{pct0}%提升至{pct}%。",
    "攻关团队突破了{T}，相关成果已在{n}家链上企业推广应用。",
    "链上企业平均用工缺口缩小了{pct0}%，新招聘的技术骨干中党员占比超过三成。",
)
QUOTE = (
    "“以前找政策要跑好几个部门，现在在群里说一声就有人对接。”{E}相关负责人说。",
    "“党建不是额外负担，而是凝聚人心、解决问题的抓手。”联盟有关负责人表示。",
    "“链主带着我们一起做，订单稳了，心里也踏实了。”一家配套企业负责人说。",
    "“党员就要冲在最前面。”{E}党支部书记这样要求攻关团队。",
)
PLAN = (
    "下一步，{A}将继续完善“{M}”机制，推动更多中小企业融入链主供应链。",
    "联盟计划围绕{T}再组建一批党员攻关队，力争在{y2}年前实现关键环节自主可控。",
    "{D}还将在园区新建党建阵地，把服务延伸到车间和研发一线。",
)
HEADINGS_ACTION = ("链主带链，上下游抱团发展", "党员攻关队啃下“硬骨头”", "供需对接，清单化推进",
                   "人才链与产业链同频共振", "服务下沉到车间一线", "从“单打独斗”到“链式协作”",
                   "机制创新：“{M}”")
HEADINGS_PROBLEM = ("一个“老大难”", "企业的难处", "为什么要建在链上")
HEADINGS_DATA = ("数据说话", "几组数字", "成效")
HEADINGS_PLAN = ("下一步", "接下来怎么干")

STORY_TITLES: tuple[tuple[str, str], ...] = (
    ("{E}党员攻关队突破{T}", "breakthrough"),
    ("“{M}”让{n}家链上企业{B}", "mechanism"),
    ("{A}：{n}项需求清单全部对接落地", "lists"),
    ("链主带链 {E}牵头组建{I}创新联合体", "chain-owner"),
    ("{D}：把党组织建在{I}产业链上", "coverage"),
    ("一张清单连起{I}产业链上下游", "supply-demand"),
    ("党建聚链 {D}{I}产业跑出“加速度”", "acceleration"),
    ("{n}名党员帮办员，{E}项目{n2}天拿证", "permits"),
    ("人才驿站留住{I}产业链“关键少数”", "talent"),
    ("联学联建：{E}与{E2}党组织结对共建", "partnership"),
)
LISTING_TEMPLATES: dict[str, tuple[tuple[str, str, str], ...]] = {
    # kind → (category, title, slug code)
    "需求": (("融资", "技改项目流动资金贷款{n}万元", "loan"),
             ("人才", "招聘{P}方向工程师{n2}名", "engineers"),
             ("技术", "{T}技术合作", "tech"),
             ("市场", "寻求{P}下游应用客户", "customers"),
             ("用地", "新建厂房用地约{n2}亩", "land"),
             ("政策", "专精特新“小巨人”申报辅导", "policy")),
    "资源": (("技术", "{E}开放{P}检测平台", "test-platform"),
             ("融资", "“链e贷”专项授信{n2}亿元", "credit"),
             ("人才", "高校院所科技特派员{n2}名", "experts"),
             ("政策", "{I}产业扶持政策汇编", "policies")),
    "项目": (("其他", "{I}产业链补链强链项目", "chain-project"),
             ("技术", "{y}年度重点攻坚项目：{T}", "key-project"),
             ("市场", "{I}产业链供需对接会", "matchmaking"),
             ("人才", "{I}产业链专场招聘会", "job-fair")),
}
STATION_TYPES: tuple[tuple[str, str, str], ...] = (
    # type, name pattern, slug code
    ("党建工作站", "{D}{I}产业链党建工作站", "dangjian-station"),
    ("先锋阵地", "“{S}”先锋阵地", "pioneer-post"),
    ("党群服务中心", "{D}{K}党群服务中心", "service-center"),
    ("书记工作室", "{N}书记工作室", "secretary-studio"),
    ("人才综合体", "{D}{I}人才综合体", "talent-complex"),
    ("实境课堂", "{E}党员实境课堂", "field-classroom"),
)
SERVICES = ("链上企业诉求受理", "党组织活动场地", "政企面对面", "政策咨询", "人才服务",
            "党员教育培训", "技术交流沙龙", "融资对接", "法律咨询", "青年联谊", "职工子女托管")


# ---- the generator -----------------------------------------------------------------------


@cache
def pinyin(text: str) -> str:
    """ASCII slug part of a Chinese name: 雨花台 → yuhuatai."""
    out = "".join(lazy_pinyin(text)).lower()
    return "".join(ch for ch in out if ch.isascii() and ch.isalnum())


@dataclass
class Enterprise:
    """A member already written: what stories and listings refer to."""

    slug: str
    name: str
    short: str


@dataclass
class AllianceInfo:
    """An alliance being written, with what its members, stories and stations need."""

    slug: str
    short: str
    place: Place
    chain: Chain
    members: list[Enterprise] = field(default_factory=list)
    mechanisms: list[str] = field(default_factory=list)


class _Dumper(yaml.SafeDumper):
    """Block mappings, flow lists of scalars (`[人工智能, 工业软件]`), `|` for text blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value,
                                   style="|" if "\n" in value else None)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flow = bool(value) and all(isinstance(v, str | int | float) for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=False)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)
_Dumper.add_representer(dict, _dict)


def dump_yaml(data: dict[str, Any]) -> str:
    """YAML as an editor would write it, keys in the given order."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)


class Generator:
    """Writes one site; every random choice comes from one seeded `random.Random`."""

    def __init__(self, content: Path, seed: int) -> None:
        self.content = content
        self.rng = random.Random(seed)
        self.slugs: dict[str, set[str]] = {}
        self.names: set[str] = set()
        self.counts: dict[str, int] = {"alliances": 0, "enterprises": 0, "stories": 0,
                                       "stations": 0, "listings": 0, "pages": 0, "bytes": 0}
        self.alliances: list[AllianceInfo] = []

    # ---- helpers ---------------------------------------------------------------------

    def write(self, rel: str, text: str) -> None:
        """Write one content file (UTF-8, LF) relative to content/."""
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        self.counts["bytes"] += len(data)

    def unique_slug(self, kind: str, base: str) -> str:
        """`base`, or `base-2`, `base-3` … when another item of the kind has it."""
        taken = self.slugs.setdefault(kind, set())
        base = "-".join(p for p in base.lower().split("-") if p)[:58].strip("-") or kind
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        return slug

    def pick(self, pool: Sequence[Any]) -> Any:
        return pool[self.rng.randrange(len(pool))]

    def sample(self, pool: Sequence[Any], k: int) -> list[Any]:
        return self.rng.sample(list(pool), min(k, len(pool)))

    def date(self, first: int = 2019, last: int = 2024) -> dt.date:
        start = dt.date(first, 1, 1).toordinal()
        return dt.date.fromordinal(self.rng.randint(start, dt.date(last, 12, 28).toordinal()))

    def partial_date(self) -> Any:
        """A date at the precision an editor writes: 2021, '2021-06' or 2021-06-18."""
        d = self.date(2015, 2023)
        return self.pick((d.year, f"{d.year}-{d.month:02d}", d))

    def point(self, place: Place, spread: float) -> tuple[float, float]:
        lat = place.lat + self.rng.uniform(-spread, spread)
        lon = place.lon + self.rng.uniform(-spread, spread) * 1.2
        return round(lat, 6), round(lon, 6)

    def person(self) -> str:
        return self.pick(SURNAMES) + self.pick(GIVEN)

    def phone(self, place: Place) -> str:
        return f"{place.area_code}-0000-{self.rng.randrange(10_000):04d}"

    def fill(self, template: str, ctx: dict[str, str]) -> str:
        """Fill a sentence template; numbers are drawn fresh for every sentence."""
        rng = self.rng
        pct0 = rng.randint(20, 60)
        values = {
            **ctx,
            "n": str(rng.randint(3, 120)), "n2": str(rng.randint(2, 60)),
            "money": f"{rng.randint(5, 950) / 10:g}", "pct": str(rng.randint(pct0 + 10, 98)),
            "pct0": str(pct0), "y": str(rng.randint(2020, 2024)),
            "y2": str(rng.randint(2026, 2030)),
            "X": self.pick(PROBLEMS), "X2": self.pick(PROBLEMS),
        }
        return template.format_map(values)

    def sentences(self, ctx: dict[str, str], *pools: Sequence[str]) -> str:
        """One sentence from each pool, never the same template twice in a row of text."""
        used: list[str] = []
        for pool in pools:
            choices = [t for t in pool if t not in used] or list(pool)
            used.append(self.pick(choices))
        return "".join(self.fill(t, ctx) for t in used)

    # ---- alliances ---------------------------------------------------------------------

    def alliance(self, place: Place) -> AllianceInfo:
        """Choose the chain, slug and mechanisms of a new alliance in `place`."""
        chain = self.pick(CHAINS)
        short = f"{place.district_short}{chain.name}产业链党建联盟"
        slug = self.unique_slug("alliance", f"{pinyin(place.district_short)}-{chain.code}")
        info = AllianceInfo(slug, short, place, chain)
        info.mechanisms = [m for m, _ in self.sample(MECHANISMS, self.rng.randint(3, 5))]
        self.alliances.append(info)
        self.counts["alliances"] += 1
        return info

    def write_alliance(self, info: AllianceInfo, index: int) -> None:
        """alliance.yaml and index.md; written after the members (chain_owner needs one)."""
        rng, place, chain = self.rng, info.place, info.chain
        owner = info.members[0]
        org_type = self.pick(ORG_TYPES)
        m1, m2 = info.mechanisms[:2]
        summary = (f"以{place.district}{chain.name}产业为主阵地，由{owner.short}等链主企业牵头，"
                   f"联结{rng.randint(20, 150)}家企业党组织"
                   f"和{rng.randint(100, 500)}余家上下游企业，"
                   f"通过“{m1}”“{m2}”推动党建链与产业链深度融合。")
        as_of = rng.choice((2023, 2024, "2024-06"))
        stats = []
        for label, unit, low, high in self.sample(STAT_LABELS, rng.randint(4, 8)):
            value: float = rng.randint(low, high)
            if unit == "亿元":
                value = round(rng.uniform(low, high), 2)
            stats.append({"label": label, "value": value, "unit": unit, "as_of": as_of,
                          "source": f"{info.short}年度工作报告"})
        org_name = (f"{place.district}{chain.name}{org_type}"
                    if org_type.startswith(("产业链", "产业集群"))
                    else f"{place.district}{chain.name}产业链{org_type}")
        data: dict[str, Any] = {
            "name": self._alliance_name(info, org_type),
            "short_name": info.short,
            "summary": summary[:200],
            "region": {"province": place.province, "city": place.city,
                       "district": place.district},
            "industries": [chain.name, *self.sample(chain.related, rng.randint(0, 2))],
            "organization": {"type": org_type, "name": org_name,
                             "established": self.partial_date()},
            "model": self.pick(MODELS),
            "chain_owner": owner.slug,
            "chain": [{"segment": seg, "name": name}
                      for seg, name in zip(("上游", "中游", "下游", "服务"), chain.segments,
                                           strict=True)],
            "stats": stats,
            "mechanisms": [{"name": m, "description": dict(MECHANISMS)[m]}
                           for m in info.mechanisms],
        }
        honors = self.sample(HONORS, rng.randint(0, 2))
        if honors:
            data["honors"] = [{"title": t, "year": rng.randint(2019, 2024), "by": by}
                              for t, by in honors]
        data["contact"] = {"address": f"{place.full}（示例地址）",
                           "phone": self.phone(place),
                           "email": f"{info.slug}@example.com"}
        if index < 12:
            data["weight"] = index + 1
        header = f"# {info.short}（基准测试生成内容，虚构）\n"
        self.write(f"alliances/{info.slug}/alliance.yaml", header + dump_yaml(data))
        self.write(f"alliances/{info.slug}/index.md", self.alliance_intro(info))

    def _alliance_name(self, info: AllianceInfo, org_type: str) -> str:
        place = info.place
        if org_type == "产业链党建联盟":
            slogan = self.pick(SLOGANS)
            return f"{place.city_district}“{slogan}”{info.chain.name}产业链党建联盟"
        return f"{place.city_district}{info.chain.name}{org_type}"

    def alliance_intro(self, info: AllianceInfo) -> str:
        ctx = self.context(info)
        parts = [
            f"## 为什么要把党组织建在“链”上\n\n{self.sentences(ctx, LEAD, PROBLEM, LEAD)}\n",
            f"## 组织架构\n\n{self.sentences(ctx, ACTION, ACTION)}\n",
            "## 运行机制\n\n" + "".join(
                f"- **{m}**：{dict(MECHANISMS)[m]}\n" for m in info.mechanisms),
            f"## 下一步\n\n{self.sentences(ctx, PLAN, RESULT)}\n",
        ]
        return "\n".join(parts)

    def context(self, info: AllianceInfo) -> dict[str, str]:
        """Fresh values for the sentence slots, drawn from one alliance."""
        members = info.members
        e1 = self.pick(members[:12]) if members else None
        e2 = self.pick(members) if members else None
        return {
            "A": info.short, "D": info.place.district, "C": info.place.city,
            "I": info.chain.name, "E": e1.short if e1 else "链主企业",
            "E2": e2.short if e2 else "配套企业", "M": self.pick(info.mechanisms),
            "T": self.pick(info.chain.topics), "P": self.pick(info.chain.products),
            "B": self.pick(BENEFITS),
        }

    # ---- enterprises -------------------------------------------------------------------

    def enterprise_name(self, info: AllianceInfo, role: str) -> tuple[str, str, str]:
        """(name, short name, slug base) for a member with this role."""
        place, chain = info.place, info.chain
        for _ in range(50):
            brand = self.pick(BRANDS)
            if role == "高校院所":
                kind = self.pick(("产业技术研究院", "工程技术研究中心", "职业技术学院"))
                if kind == "职业技术学院":
                    name = f"{place.city_short}{brand}职业技术学院"
                    short = f"{brand}职院"
                else:
                    name = f"{place.city_short}{chain.name}{kind}"
                    short = f"{place.city_short}{chain.name}研究院"
                base = f"{pinyin(place.city_short)}-{pinyin(brand)}-institute"
            elif role == "服务机构":
                kind = self.pick(("人力资源服务有限公司", "律师事务所", "知识产权代理有限公司",
                                  "科技金融服务有限公司", "检验检测有限公司"))
                name = f"{place.city_short}{brand}{kind}"
                short = f"{brand}{kind[:2]}"
                base = f"{pinyin(place.city_short)}-{pinyin(brand)}-{pinyin(kind[:2])}"
            else:
                business = self.pick(chain.business)
                suffix = ("集团有限公司" if role in ("链主", "龙头企业") and self.rng.random() < 0.4
                          else self.pick(("有限公司", "有限公司", "股份有限公司")))
                name = f"{place.city_short}{brand}{business}{suffix}"
                short = f"{brand}{business}"
                base = f"{pinyin(place.city_short)}-{pinyin(brand)}-{pinyin(business)}"
            if name not in self.names:
                self.names.add(name)
                return name, short, base
        return name, short, base  # a repeated name is still valid content

    def write_enterprise(self, info: AllianceInfo, role: str, segment: str) -> Enterprise:
        """One member of `info`, sometimes also a member of an earlier alliance."""
        rng, place, chain = self.rng, info.place, info.chain
        name, short, base = self.enterprise_name(info, role)
        slug = self.unique_slug("enterprise", base)
        ent = Enterprise(slug, name, short)
        memberships = [{"alliance": info.slug, "role": role, "segment": segment}]
        if len(self.alliances) > 1 and rng.random() < 0.08:
            other = self.alliances[rng.randrange(len(self.alliances) - 1)]
            memberships.append({"alliance": other.slug, "role": "成员企业",
                                "segment": self.pick(("上游", "中游", "下游"))})
        product = self.pick(chain.products)
        seg_name = dict(zip(("上游", "中游", "下游", "服务"), chain.segments, strict=True))[segment]
        data: dict[str, Any] = {
            "name": name,
            "short_name": short,
            "summary": f"{info.short}{role}，主要从事{seg_name}相关业务，主打产品为{product}。",
            "industry": chain.name if role not in ("服务机构", "高校院所")
            else self.pick(("科技服务", "高等教育", "商务服务") if role == "高校院所"
                           else ("商务服务", "金融服务", "人力资源服务", "法律服务")),
            "tags": self.sample(TAGS, rng.randint(1, 3)),
            "memberships": memberships,
        }
        org = self.pick(("党委", "党总支", "党支部", "党支部", "党支部", "联合党支部", "未建"))
        if role in ("链主", "高校院所"):
            org = "党委"
        if org != "未建":
            data["party_org"] = {"type": org, "name": f"{short}{org}",
                                 "members": rng.randint(3, 400 if org == "党委" else 60),
                                 "established": self.partial_date()}
        else:
            data["party_org"] = {"type": org}
        lat, lon = self.point(place, 0.08)
        data["location"] = {"address": f"{place.full}"
                                       f"{self.pick(ROADS)}{rng.randint(1, 999)}号（示意位置）",
                            "lat": lat, "lon": lon}
        ctx = self.context(info) | {"E": short}
        description = (f"{short}是{info.short}的{role}，位于{place.district}"
                       f"{self.pick(PARKS)}。{self.sentences(ctx, ACTION)}")
        if rng.random() < 0.5:
            description += f"\n\n{self.sentences(ctx, RESULT)}"
        data["description"] = description + "\n"
        self.write(f"enterprises/{slug}.yaml", dump_yaml(data))
        self.counts["enterprises"] += 1
        return ent

    def members(self, info: AllianceInfo) -> None:
        """About 40 members: 链主 first, then leaders, backbone, members, services, academia."""
        count = self.rng.randint(*ENTERPRISES_PER_ALLIANCE)
        roles = ["链主", "龙头企业", "龙头企业"] + ["骨干企业"] * 8
        tail = ["服务机构"] * 3 + ["高校院所"] * 2
        roles += ["成员企业"] * (count - len(roles) - len(tail)) + tail
        for role in roles:
            if role == "服务机构":
                segment = "服务"
            elif role == "高校院所":
                segment = self.pick(("上游", "服务"))
            elif role == "链主":
                segment = self.pick(("中游", "下游"))
            else:
                segment = self.pick(("上游", "中游", "中游", "下游"))
            info.members.append(self.write_enterprise(info, role, segment))

    # ---- stories -----------------------------------------------------------------------

    def story_body(self, info: AllianceInfo) -> str:
        """Markdown of 3–8 paragraphs with ## headings, a list and a table (~1.5–3 KB)."""
        rng = self.rng
        ctx = self.context(info)
        target = rng.randint(3, 8)
        short = target <= 4  # few paragraphs: longer ones
        lead = self.sentences(ctx, LEAD, PROBLEM, *([LEAD] if short else []))
        extra = target - 3  # beyond lead, one action paragraph and the data section
        problem, plan = extra >= 1, extra >= 2
        actions = 1 + extra - problem - plan
        split = [actions] if actions < 3 else [actions - actions // 2, actions // 2]
        sections: list[tuple[str, str, int]] = []
        if problem:
            sections.append(("problem", self.pick(HEADINGS_PROBLEM), 1))
        for count in split:
            sections.append(("action", self.pick(HEADINGS_ACTION).format(M=ctx["M"]), count))
        sections.append(("data", self.pick(HEADINGS_DATA), 1))
        if plan:
            sections.append(("plan", self.pick(HEADINGS_PLAN), 1))
        actions_at = [i for i, s in enumerate(sections) if s[0] == "action"]
        list_at = self.pick(actions_at)
        blocks = [lead]
        for i, (kind, heading, count) in enumerate(sections):
            blocks.append(f"## {heading}")
            ctx = self.context(info)
            for _ in range(count):
                if kind == "problem":
                    blocks.append(self.sentences(ctx, PROBLEM, QUOTE))
                elif kind == "plan":
                    blocks.append(self.sentences(ctx, PLAN, PLAN))
                elif kind == "data":
                    blocks.append(self.sentences(ctx, RESULT, *([RESULT] if short else [])))
                    blocks.append(self.table(ctx))
                else:
                    more = [ACTION] if short else []
                    blocks.append(self.sentences(ctx, ACTION, ACTION, *more, RESULT))
            if i == list_at:
                blocks.append(self.bullets(ctx))
        return "\n\n".join(blocks) + "\n"

    def bullets(self, ctx: dict[str, str]) -> str:
        """A numbered list of steps or a bullet list of mechanisms."""
        if self.rng.random() < 0.5:
            steps = ("摸清需求：逐户走访链上企业，建立问题台账",
                     "分类交办：按层级分流到职能部门和链主企业",
                     "限时办结：明确责任人和办结时限，每月通报进度",
                     "回访评价：由企业对办理结果打分，纳入书记项目考核")
            chosen = steps[: self.rng.randint(3, 4)]
            last = len(chosen)
            return "\n".join(f"{i}. {s}{'。' if i == last else '；'}"
                             for i, s in enumerate(chosen, 1))
        items = self.sample(MECHANISMS, self.rng.randint(3, 4))
        return "\n".join(f"- **{m}**：{d}" for m, d in items)

    def table(self, ctx: dict[str, str]) -> str:
        """A Markdown table of a few figures over two years."""
        rng = self.rng
        y = rng.randint(2022, 2024)
        rows = self.sample(STAT_LABELS, rng.randint(3, 4))
        lines = [f"| 指标 | {y - 1}年 | {y}年 |", "|---|---|---|"]
        for label, unit, low, high in rows:
            a = rng.randint(low, (low + high) // 2)
            lines.append(f"| {label}（{unit}） | {a} | {a + rng.randint(1, max(2, a // 2))} |")
        return "\n".join(lines)

    def write_story(self, info: AllianceInfo) -> None:
        """stories/<slug>.md: front matter and a Markdown body."""
        rng = self.rng
        ctx = self.context(info)
        template, code = self.pick(STORY_TITLES)
        title = self.fill(template, ctx)
        slug = self.unique_slug("story", f"{info.slug}-{code}")
        date = self.date()
        summary = self.sentences(ctx, ACTION, RESULT)[:200]
        enterprises = [e.slug for e in self.sample(info.members[:20], rng.randint(1, 3))]
        alliances = [info.slug]
        if len(self.alliances) > 1 and rng.random() < 0.1:
            other = self.alliances[rng.randrange(len(self.alliances) - 1)].slug
            alliances.append(other)
        front: dict[str, Any] = {
            "title": title, "date": date, "summary": summary, "alliances": alliances,
            "enterprises": enterprises, "tags": self.sample(TAGS, rng.randint(2, 4)),
            "author": self.pick(AUTHORS),
            "source": {"name": f"{info.place.city_short}{self.pick(PAPERS)}：{title}",
                       "date": date - dt.timedelta(days=rng.randint(1, 20))},
        }
        text = f"---\n{dump_yaml(front)}---\n\n{self.story_body(info)}"
        self.write(f"stories/{slug}.md", text)
        self.counts["stories"] += 1

    # ---- stations and listings ---------------------------------------------------------

    def write_station(self, place: Place, info: AllianceInfo | None, spread: float) -> None:
        """A station within `spread` degrees of the district centre."""
        rng = self.rng
        kind, pattern, code = self.pick(STATION_TYPES)
        chain = info.chain if info else self.pick(CHAINS)
        ent = self.pick(info.members).short if info and info.members else self.pick(BRANDS)
        name = pattern.format(D=place.district_short, I=chain.name, S=self.pick(SLOGANS),
                              K=self.pick(PARKS), N=self.person(), E=ent)
        slug = self.unique_slug("station", f"{pinyin(place.district_short)}-{code}")
        lat, lon = self.point(place, spread)
        location: dict[str, Any] = {"lat": lat, "lon": lon}
        if rng.random() < 0.1:
            location["coord_system"] = "gcj02"
        data: dict[str, Any] = {
            "name": name,
            "address": f"{place.full}{self.pick(ROADS)}"
                       f"{rng.randint(1, 999)}号（示意地址）",
            "type": kind,
            "location": location,
        }
        if info:
            data["alliances"] = [info.slug]
        data["hours"] = self.pick(("工作日 9:00—17:30", "预约开放", "周一至周六 8:30—18:00"))
        data["phone"] = self.phone(place)
        data["services"] = self.sample(SERVICES, rng.randint(2, 4))
        data["summary"] = (f"设在{place.district}{self.pick(PARKS)}，面向{chain.name}产业链企业党员"
                           f"和职工，提供{'、'.join(data['services'][:2])}等服务。")
        self.write(f"stations/{slug}.yaml", dump_yaml(data))
        self.counts["stations"] += 1

    def write_listing(self, info: AllianceInfo, kind: str) -> None:
        """One entry of the three lists (需求 always names an enterprise)."""
        rng = self.rng
        ctx = self.context(info)
        category, template, code = self.pick(LISTING_TEMPLATES[kind])
        ent = self.pick(info.members)
        ctx["E"] = ent.short
        title = self.fill(template, ctx)
        slug = self.unique_slug("listing", f"{info.slug}-{code}")
        status = self.pick(("征集中", "对接中", "已解决"))
        data: dict[str, Any] = {"kind": kind, "title": title, "alliance": info.slug}
        if kind == "需求" or rng.random() < 0.5:
            data["enterprise"] = ent.slug
        data["category"] = category
        data["status"] = status
        data["posted"] = self.pick((self.date(2021, 2024), self.date(2021, 2024).year))
        description = self.sentences(ctx, PROBLEM if kind == "需求" else ACTION)
        if status == "已解决":
            description += f"\n\n**对接结果**：{self.sentences(ctx, RESULT)}"
        data["description"] = description + "\n"
        data["contact"] = f"{info.short}秘书处（演示）：{self.phone(info.place)}"
        self.write(f"listings/{slug}.yaml", dump_yaml(data))
        self.counts["listings"] += 1

    # ---- site ----------------------------------------------------------------------------

    def write_site(self) -> None:
        """site.yaml and pages/about.md."""
        site = {
            "title": "产业链党建联盟展示平台（基准测试）",
            "description": "由基准测试脚本生成的大型演示站点：联盟、成员企业、党建阵地、"
                           "“三张清单”和典型案例均为虚构内容。",
            "base_url": "https://example.gov.cn/dangjian/",
            "language": "zh-CN",
            "publisher": "示例：某市委组织部（基准测试站点）",
            "footer": "本站内容由 **site_builder** 基准测试脚本自动生成，均为虚构。\n\n"
                      "示例备案号：京ICP备00000000号（演示）\n",
            "map": {"provider": "osm"},
        }
        self.write("site.yaml", "# 基准测试站点设置（自动生成）\n" + dump_yaml(site))
        about = ("---\ntitle: 关于本站\nsummary: 这是一个自动生成的基准测试站点。\n"
                 "nav_weight: 10\n---\n\n"
                 "## 本站是什么\n\n本站由 `benchmarks/generate_site.py` 生成，"
                 "用来测量 site_builder 在大量联盟、企业和案例下的构建速度。"
                 "所有单位、人名和数字均为虚构。\n\n"
                 "## “三张清单”\n\n- **需求清单**：企业要什么；\n"
                 "- **资源清单**：部门和链上单位有什么；\n"
                 "- **项目清单**：接下来要做什么。\n")
        self.write("pages/about.md", about)
        self.counts["pages"] += 1

    def run(self, alliances: int, stations: int | None) -> dict[str, int]:
        """Write the whole site: alliances one by one, then (stations-only) the map points."""
        self.write_site()
        rng = self.rng
        for index in range(alliances):
            place = rng.choices(PLACES, weights=PLACE_WEIGHTS)[0]
            info = self.alliance(place)
            self.members(info)
            self.write_alliance(info, index)
            for _ in range(STORIES_PER_ALLIANCE):
                self.write_story(info)
            if stations is None:
                for _ in range(STATIONS_PER_ALLIANCE):
                    self.write_station(place, info, 0.06)
            kinds = ["需求", "资源", "项目", self.pick(("需求", "资源", "项目"))]
            for kind in kinds[:LISTINGS_PER_ALLIANCE]:
                self.write_listing(info, kind)
            info.members = info.members[:20]  # keep memory flat: later use only needs a few
        if stations is not None:
            for i in range(stations):
                place = PLACES[rng.randrange(len(PLACES))]  # all of China, unweighted
                info = self.alliances[i % len(self.alliances)] if rng.random() < 0.8 else None
                self.write_station(place, info, 0.35)
        return dict(self.counts)


def generate(out: Path, alliances: int, seed: int = 1, stations: int | None = None) -> dict:
    """Write `out/content` (replacing it) and return the counts of files by kind."""
    out = Path(out)
    content = out / "content"
    if content.exists():
        shutil.rmtree(content)
    content.mkdir(parents=True)
    counts = Generator(content, seed).run(alliances, stations)
    counts["files"] = sum(counts[k] for k in ("alliances", "enterprises", "stories", "stations",
                                              "listings", "pages")) + counts["alliances"] + 1
    manifest = {"version": GENERATOR_VERSION, "alliances": alliances, "seed": seed,
                "stations": stations, "counts": counts}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (out / DIRTY).unlink(missing_ok=True)
    return counts


def ensure_site(out: Path, alliances: int, seed: int = 1, stations: int | None = None,
                log: Callable[[str], None] | None = None) -> dict:
    """Reuse `out` when it was generated with the same arguments and is untouched."""
    out = Path(out)
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    same = (manifest.get("version") == GENERATOR_VERSION and manifest.get("alliances") == alliances
            and manifest.get("seed") == seed and manifest.get("stations") == stations)
    if same and not (out / DIRTY).exists() and (out / "content" / "site.yaml").is_file():
        return manifest["counts"]
    if log:
        log(f"generating {out} (alliances={alliances}, seed={seed}, stations={stations}) …")
    from settle import remove_trees  # the benchmarks' helper, beside this file

    remove_trees(out.parent, [out / "content"])  # noted: the builds measured next wait
    return generate(out, alliances, seed, stations)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the site and print its counts as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alliances", type=int, help="number of alliances (default 300; "
                        f"{STATIONS_ONLY_ALLIANCES} with --stations-only)")
    parser.add_argument("--out", type=Path, required=True, help="site folder; content/ is replaced")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stations-only", type=int, metavar="M",
                        help="a map site: M stations all over China, few alliances")
    args = parser.parse_args(argv)
    alliances = args.alliances
    if alliances is None:
        alliances = STATIONS_ONLY_ALLIANCES if args.stations_only is not None else 300
    if alliances < 1:
        parser.error("--alliances must be at least 1")
    counts = generate(args.out, alliances, args.seed, args.stations_only)
    print(json.dumps(counts, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
