"""The fixed query mix: the public evaluation set, two-character queries and long colloquial sentences."""

from pathlib import Path

PUBLIC_SET = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "queries.tsv"

SHORT = [
    "社保", "失业", "工伤", "档案", "退休", "医保", "养老", "生育", "就业", "培训",
    "补贴", "仲裁", "转移", "挂失", "认证", "产假", "缴费",
]  # fmt: skip

# What citizens type into a search box when they describe their situation instead of naming a service.
LONG = [
    "我在长沙一家公司上班三年了，上个月公司突然把我辞退了，请问我现在可以去哪里申请领取失业保险金？",
    "我老公在工地干活的时候从架子上摔下来腿骨折了，老板不肯给他报工伤，我们应该怎么去申请工伤认定？",
    "我今年刚满六十岁，之前在老家交了十年城乡居民养老保险，现在想知道每个月能领多少钱以及怎么办理领取？",
    "我的社保卡昨天在地铁上丢了，里面还有医保的钱，请问怎么挂失和补办，补办一张新卡大概需要多长时间？",
    "本人是应届毕业生，刚从外地来长沙工作，想问问人才引进的租房补贴和生活补贴要怎么申请，需要准备哪些材料？",
    "我在昆山工作了五年现在要回老家发展，社保里的养老保险和医疗保险关系要怎么转出去，需要本人到现场办理吗？",
    "公司已经拖欠我们三个月的工资了，老板一直说没钱，我们好几个同事想去投诉，请问劳动监察大队的电话和地址是多少？",
    "我怀孕七个月了，单位一直有给我交生育保险，想了解一下产假一共可以休多少天，生育津贴又是怎么申领的？",
    "我父亲以前是国企职工，档案一直放在原单位，现在单位倒闭了，档案要转到人才中心托管应该怎么办理呢？",
    "我是个体户没有单位，想自己以灵活就业人员身份交社保，请问每个月最低要交多少钱，在哪里可以办理登记？",
    "退休人员每年都要做养老待遇资格认证吗，我妈妈年纪大了行动不便，能不能在手机上帮她刷脸完成认证？",
    "我想参加今年的专业技术人员职业资格考试，请问报名时间一般是什么时候，报名需要提交哪些证明材料和照片？",
]


def public_queries(path=PUBLIC_SET):
    """The query column of the public evaluation set (comment lines skipped); [] when the file is absent."""
    path = Path(path)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) >= 4 and cols[3].strip():
            out.append(cols[3].strip())
    return out


def query_mix(public_path=PUBLIC_SET):
    """[(category, query), …] in a fixed order."""
    mix = [("public", q) for q in public_queries(public_path)]
    mix += [("short", q) for q in SHORT]
    mix += [("long", q) for q in LONG]
    return mix
