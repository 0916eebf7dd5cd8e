"""Hand-made rows for the page tests (so they do not depend on the parsers) and the real-import fixture."""

from faq.importer import ensure_taxonomy
from faq.models import City, District, Entry, Keyword, Office, PhoneNumber, ProcedureStep, SourceDocument, Topic

TABLE_ANSWER = "\n".join(
    [
        "深圳市社会保险缴费比例如下：",
        "| 险种 | 单位缴费比例 | 个人缴费比例 | 说明 |",
        "| --- | --- | --- | --- |",
        "| 养老保险 | 16% | 8% | 深户与非深户相同，按月缴纳，基数为上年度全市在岗职工月平均工资的60%至300% |",
        "| 医疗保险一档 | 5.2% | 2% | 详见 https://hrss.sz.gov.cn/ztfw/shbx/some/very/long/path/that/never/ends/index.html |",
        "| 失业保险 | 0.7% | 0.3% | — |",
        "具体以社保局公布为准。",
    ]
)


def make_sample_data():
    """A small knowledge base: two published entries with steps, phones and an office, one draft."""
    ensure_taxonomy()
    changsha = City.objects.get(slug="changsha")
    shenzhen = City.objects.get(slug="shenzhen")
    furong = District.objects.get(city=changsha, slug="furong")
    futian = District.objects.get(city=shenzhen, slug="futian")
    card = Topic.objects.get(slug="social-security-card")
    pension = Topic.objects.get(slug="pension")
    source = SourceDocument.objects.create(filename="sample.txt", title="长沙社保卡问答", city=changsha, sha256="x")

    office = Office.objects.create(
        city=changsha,
        district=furong,
        name="芙蓉区社会保障卡服务中心",
        kind="社会保障卡服务中心",
        address="长沙市芙蓉区八一路1号政务服务中心一楼",
        hours="周一至周五 9:00-17:00",
    )
    PhoneNumber.objects.create(
        number="0731-84111111", label="芙蓉区社保卡服务", city=changsha, district=furong, office=office
    )
    PhoneNumber.objects.create(number="0731-84222222", label="芙蓉区劳动监察", city=changsha, district=furong)
    PhoneNumber.objects.create(number="12333", label="长沙人社服务热线", city=changsha)

    lost = Entry.objects.create(
        question="社保卡丢了怎么补办？",
        answer="社保卡遗失后请先挂失，再补办。\n1. 拨打12333电话挂失；\n2. 到服务网点申请补卡；\n3. 领取新卡。\n"
        "网上办理请登录 http://www.changsha.gov.cn/csrc_portal/ 。",
        city=changsha,
        audience=Entry.Audience.PERSONAL,
        conditions="已在长沙参保并制卡的人员。",
        materials="本人有效身份证件原件。",
        location="各区社会保障卡服务中心",
        source=source,
        source_key="q1",
        source_position=1,
        source_section="热点问题",
    )
    lost.topics.set([card])
    lost.districts.set([furong])
    lost.offices.set([office])
    ProcedureStep.objects.bulk_create(
        ProcedureStep(entry=lost, order=i, text=t)
        for i, t in enumerate(["挂失原卡", "提交补卡申请", "领取新卡并激活"], start=1)
    )
    PhoneNumber.objects.create(number="0731-84333333", label="社保卡咨询", city=changsha, district=furong, entry=lost)

    activate = Entry.objects.create(
        question="新社保卡如何激活？",
        answer="携带身份证到银行网点激活金融功能。",
        city=changsha,
        audience=Entry.Audience.PERSONAL,
        source=source,
        source_key="q2",
        source_position=2,
    )
    activate.topics.set([card])

    employer = Entry.objects.create(
        question="单位如何办理社保卡批量申领？",
        answer="单位经办人登录网上服务大厅提交名单。",
        city=changsha,
        audience=Entry.Audience.EMPLOYER,
        source=source,
        source_key="q3",
        source_position=3,
    )
    employer.topics.set([card])

    rates = Entry.objects.create(
        question="深圳社保缴费比例是多少？",
        answer=TABLE_ANSWER,
        city=shenzhen,
        source_position=1,
    )
    rates.topics.set([pension])
    rates.districts.set([futian])

    draft = Entry.objects.create(
        question="草稿：尚未发布的问题",
        answer="不应公开。",
        city=changsha,
        status=Entry.Status.DRAFT,
    )
    draft.topics.set([card])
    draft.districts.set([furong])
    PhoneNumber.objects.create(number="0731-89999999", label="草稿电话", city=changsha, district=furong, entry=draft)

    keyword = Keyword.objects.create(name="挂失")
    lost.keywords.add(keyword)
    draft_only = Keyword.objects.create(name="草稿词")
    draft.keywords.add(draft_only)
    return {
        "changsha": changsha,
        "shenzhen": shenzhen,
        "furong": furong,
        "futian": futian,
        "card": card,
        "pension": pension,
        "office": office,
        "lost": lost,
        "activate": activate,
        "employer": employer,
        "rates": rates,
        "draft": draft,
        "keyword": keyword,
        "draft_keyword": draft_only,
    }
