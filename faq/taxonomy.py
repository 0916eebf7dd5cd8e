"""The curated taxonomy: cities, districts, topics and their keyword rules, default synonyms.

Kept as data in code so a fresh database gets the same slugs everywhere; the importer
creates missing rows and never overwrites what staff changed.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CityInfo:
    """Everything the portal knows about a city, declared once: the importer, the parsers (area codes),
    search (city names in queries), templates and the API read this list."""

    slug: str
    name: str
    area_code: str
    hotline: str = "12333"
    # (name, url or "") of the city's official online service channels (网办入口).
    online: tuple = field(default_factory=tuple)


NATIONAL_HOTLINE = "12333"

CITIES = [
    CityInfo(
        "changsha",
        "长沙",
        "0731",
        online=(
            ("长沙市12333公共服务平台", "http://www.cs12333.com"),
            ("长沙人社 APP", ""),
            ("长沙人社12333微信公众号", ""),
        ),
    ),
    CityInfo(
        "shenzhen",
        "深圳",
        "0755",
        online=(("深圳市社会保险服务个人网页", ""),),
    ),
    CityInfo(
        "kunshan",
        "昆山",
        "0512",
        online=(
            ("江苏人社网上办事服务大厅", "https://rs.jshrss.jiangsu.gov.cn"),
            ("江苏智慧人社 APP", ""),
            ("江苏智慧人社微信小程序", ""),
        ),
    ),
]
CITY_BY_SLUG = {c.slug: c for c in CITIES}
AREA_CODES = {c.slug: c.area_code for c in CITIES}


def city_names():
    """「长沙、深圳、昆山」 for page texts."""
    return "、".join(c.name for c in CITIES)


# city slug -> [(slug, name, aliases)]
DISTRICTS = {
    "changsha": [
        ("furong", "芙蓉区", ["芙蓉"]),
        ("tianxin", "天心区", ["天心"]),
        ("yuelu", "岳麓区", ["岳麓"]),
        ("kaifu", "开福区", ["开福"]),
        ("yuhua", "雨花区", ["雨花"]),
        ("wangcheng", "望城区", ["望城"]),
        ("changsha-county", "长沙县", []),
        ("liuyang", "浏阳市", ["浏阳"]),
        ("ningxiang", "宁乡市", ["宁乡"]),
        ("gaoxin", "高新区", ["麓谷"]),
        ("xiangjiang", "湘江新区", []),
    ],
    "shenzhen": [
        ("futian", "福田区", ["福田", "八卦岭"]),
        ("luohu", "罗湖区", ["罗湖"]),
        ("nanshan", "南山区", []),
        ("baoan", "宝安区", ["宝安"]),
        ("longgang", "龙岗区", ["龙岗"]),
        ("yantian", "盐田区", ["盐田"]),
        ("longhua", "龙华区", []),
        ("pingshan", "坪山区", ["坪山"]),
        ("guangming", "光明区", []),
    ],
    "kunshan": [
        ("yushan", "玉山镇", []),
        ("bacheng", "巴城镇", []),
        ("zhoushi", "周市镇", []),
        ("lujia", "陆家镇", []),
        ("huaqiao", "花桥镇", ["花桥"]),
        ("zhangpu", "张浦镇", []),
        ("qiandeng", "千灯镇", []),
        ("zhouzhuang", "周庄镇", []),
        ("jinxi", "锦溪镇", []),
        ("dianshanhu", "淀山湖镇", []),
        ("kunshan-dev-zone", "昆山开发区", ["昆山经济技术开发区"]),
    ],
}

# slug, name, description, keywords that put an entry under the topic (question weighs double).
TOPICS = [
    (
        "pension",
        "养老保险",
        "企业职工与机关事业单位养老保险：缴费、转移、退休、养老金发放与资格认证。",
        ["养老", "退休", "养老金", "退休金", "资格认证", "生存认证", "丧葬", "抚恤", "遗属", "特殊工种"],
    ),
    (
        "rural-pension",
        "城乡居民养老保险",
        "城乡居民基本养老保险的参保、缴费档次、补贴、待遇和领取资格。",
        ["城乡居民养老", "城乡居民基本养老", "城乡居保", "基础养老金", "缴费档次"],
    ),
    (
        "unemployment",
        "失业保险",
        "失业登记、失业保险金与失业补助金的申领、标准、期限和停发。",
        ["失业", "稳岗"],
    ),
    (
        "work-injury",
        "工伤保险",
        "工伤认定、就医、待遇申领与劳动能力鉴定。",
        ["工伤", "伤残", "劳动能力", "职业病"],
    ),
    (
        "medical-maternity",
        "医疗与生育",
        "医疗保险缴费与报销、生育待遇、产假和医疗期。",
        ["医保", "医疗保险", "医疗期", "生育", "产假", "住院", "就医"],
    ),
    (
        "social-security-card",
        "社会保障卡",
        "社保卡与电子社保卡的申领、激活、挂失补换、密码和信息变更。",
        ["社保卡", "社会保障卡", "电子社保卡", "制卡"],
    ),
    (
        "employment",
        "就业创业",
        "求职登记、招聘会、就业援助、创业担保贷款和各类就业补贴。",
        ["就业", "创业", "招聘", "求职", "见习", "补贴", "留工"],
    ),
    (
        "training",
        "职业培训与技能评价",
        "职业技能培训、培训补贴、技能等级认定与证书查询、专业技术资格考试。",
        ["培训", "技能", "职业资格", "资格考试", "建造师", "等级证", "技能人才"],
    ),
    (
        "talent-archives",
        "人才人事与档案",
        "人才政策与补贴、人事档案托管、存档证明和职称。",
        ["档案", "人才", "职称", "博士", "留学", "学历"],
    ),
    (
        "labour-relations",
        "劳动关系与维权",
        "劳动合同、工资、加班、假期、劳动监察投诉和劳动人事争议仲裁。",
        ["劳动合同", "工资", "加班", "仲裁", "争议", "监察", "投诉", "维权", "婚假", "丧假", "休假", "调解"],
    ),
    (
        "employer-services",
        "单位参保经办",
        "用人单位的社保登记、开户注销、增减员、缴费基数申报和网上经办。",
        # Words only an employer's business uses: a bare 单位 (工作单位, 更换单位, 用人单位安排加班) or 参保登记
        # (城乡居民 register themselves) put 加班, 工伤 and 住房公积金 answers here.
        [
            "单位参保",
            "参保单位",
            "单位社保",
            "单位证书",
            "本单位",
            "单位编号",
            "用工",
            "缴费基数",
            "数字证书",
            "社保开户",
            "单位注销",
            "账户注销",
            "停保",
            "退工",
            "增减员",
            "参保变更",
            "社保变更",
            "网上申报",
        ],
    ),
    (
        "social-insurance-services",
        "社保查询与转移",
        "个人参保缴费查询、参保证明、社保关系转移接续和退保结算。",
        ["参保", "缴费", "转移", "退保", "转保", "结算", "社保", "公积金", "参保证明"],
    ),
]

# Fallback when no rule matches: everything in these sources is at least about social insurance.
DEFAULT_TOPIC = "social-insurance-services"

DEFAULT_SYNONYMS = [
    "社保卡,社会保障卡",
    "电子社保卡,电子社会保障卡",
    "失业金,失业保险金,失业救济金",
    "退休金,退休工资,养老金",
    "医保,医疗保险",
    "海归,留学回国,留学人员回国",
    "城乡居保,城乡居民养老保险,城乡居民基本养老保险",
    "工伤认定,认定工伤",
    "劳动仲裁,劳动人事争议仲裁",
    "社保,社会保险",
    "公积金,住房公积金",
    "产假,生育假",
    "挂失,丢失,遗失,丢了",
    "补办,补换,补卡",
    "激活,启用",
    "密码忘记,忘记密码,密码忘了",
    "劳动能力鉴定,劳动能力等级鉴定",
    "资格认证,生存认证,养老认证",
    "参保证明,社保证明",
    "婚丧假,婚假丧假",
    # Colloquial words and one-character verbs citizens type for the documents' formal terms.
    "查,查询",
    "交,缴,缴纳,缴交",
    "交费,缴费",
    "领,领取,申领",
    "算,计算",
    "改,修改,变更",
    "期限,时限",
    "死亡,去世,过世,身故",
    "丧葬费,丧葬补助金",
    "小孩,孩子,儿童,未成年人",
    "辞职,离职",
    "老板,雇主,用人单位",
    "工资,薪水,薪资,工钱",
    "医药费,医疗费,医疗费用",
    "外地,异地",
    "外省,跨省",
    "病假,医疗期",
    "加班费,加班工资",
]


def classify_topics(question: str, answer: str, hints=()) -> list[str]:
    """Topic slugs for an entry: the layout's hints first, then keyword rules scored on the text.

    The question counts three times as much as the answer, and an answer-only match
    needs more than a passing mention, so long answers do not land in every topic.
    """
    chosen = list(dict.fromkeys(hints))
    scores = {}
    for slug, _name, _desc, words in TOPICS:
        score = 0
        for word in words:
            score += 3 * question.count(word) + min(answer.count(word), 3)
        if score:
            scores[slug] = score
    if scores:
        best = max(scores.values())
        # Keep every topic that is close to the best; a single weak mention does not count.
        for slug, score in sorted(scores.items(), key=lambda kv: -kv[1]):
            if score >= max(3, best // 2) and slug not in chosen:
                chosen.append(slug)
    # "社保查询与转移" is the catch-all: drop it when a specific topic already fits.
    if len(chosen) > 1 and DEFAULT_TOPIC in chosen and DEFAULT_TOPIC not in hints:
        chosen.remove(DEFAULT_TOPIC)
    return chosen or [DEFAULT_TOPIC]


def district_names(city: str):
    """(canonical name, [spellings]) for a city's districts, longest spelling first when matching."""
    for _slug, name, aliases in DISTRICTS.get(city, []):
        yield name, [name, *aliases]


def detect_districts(text: str, city: str) -> list[str]:
    """Canonical names of the districts ``text`` mentions, in order of first mention."""
    found = []
    for name, spellings in district_names(city):
        positions = [text.find(s) for s in spellings if s in text]
        if positions:
            found.append((min(positions), name))
    return [name for _pos, name in sorted(found)]


def canonical_district(name: str, city: str) -> str:
    """The canonical district name for a spelling in the sources, or '' when it is not a district."""
    name = name.strip()
    if not name:
        return ""
    for canonical, spellings in district_names(city):
        if name in spellings or any(name.startswith(s) for s in spellings):
            return canonical
    return ""
