"""The importer over all five sources: counts, noise, idempotency, staff edits, the command's errors."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from faq.importer import import_parsed
from faq.models import City, Entry, Office, PhoneNumber, ProcedureStep, Topic

NOISE = [
    "[bookmark",
    "[image",
    "IMG_",
    "煮蛋器",
    "萌三国",
    "创世仙缘",
    "大汉龙腾",
    "倚天情缘",
    "无忧保",
    "QQ群",
    "qq:",
    "标签:",
    "标签：",
    "声明:本站",
    "声明：本站",
    "本站所有文章",
    "个人社保网",
    "360docs",
    "本地宝",
    "shebaoonline",
    "0571-22931819",
    "010-00000000",
    "相关文档",
    "最新文档",
]

EXPECTED_ENTRIES = {
    # city slug -> entries per source as the issue states them
    "000_79b8e4699b12fd67.txt": 90,
    "002_47b1b9a0f8db3381.txt": 16,
    "004_93101f5e3e835c9c.txt": 46,
}


def entry_texts(entry):
    yield entry.question
    yield entry.answer
    yield entry.conditions
    yield entry.materials
    yield entry.location
    yield from (s.text for s in entry.steps.all())


@pytest.mark.django_db
class TestImportAll:
    def test_counts_per_source(self, imported):
        for filename, expected in EXPECTED_ENTRIES.items():
            assert Entry.objects.filter(source__filename=filename).count() == expected, filename
        sscard = Entry.objects.filter(source__filename__startswith="003_")
        assert sscard.filter(source_key__startswith="faq").count() == 18
        assert sscard.filter(source_key__startswith="guide").count() == 6
        shenzhen = Entry.objects.filter(source__filename__startswith="001_")
        assert shenzhen.filter(source_key__startswith="item").count() == 26
        assert shenzhen.filter(source_key__startswith="web").count() == 3
        assert Office.objects.filter(kind="社会保障卡服务网点").count() == 25

    def test_every_entry_has_a_topic_and_its_city(self, imported):
        assert not Entry.objects.filter(topics=None).exists()
        for city, prefix in [("changsha", "000_"), ("shenzhen", "001_"), ("kunshan", "004_")]:
            assert set(
                Entry.objects.filter(source__filename__startswith=prefix).values_list("city__slug", flat=True)
            ) == {city}

    def test_no_noise_reaches_any_record(self, imported):
        for entry in Entry.objects.prefetch_related("steps"):
            for text in entry_texts(entry):
                for noise in NOISE:
                    assert noise not in text, (entry.source_key, noise)
        for office in Office.objects.all():
            for noise in NOISE:
                assert noise not in office.name + office.address + office.hours
        for phone in PhoneNumber.objects.all():
            assert phone.number != "010-00000000"

    def test_nothing_from_other_cities_is_labelled_shenzhen(self, imported):
        for entry in Entry.objects.filter(city__slug="shenzhen"):
            for other in ["武汉", "淄博", "上海", "无锡", "镇江", "黑龙江", "阳东"]:
                assert other not in entry.question + entry.answer, (entry.source_key, other)

    def test_kunshan_employer_registration_is_an_online_path(self, imported):
        entry = Entry.objects.get(city__slug="kunshan", question__contains="用人单位用工登记")
        assert entry.audience == Entry.Audience.EMPLOYER
        assert not entry.steps.exists()
        assert entry.online_path.split(" → ") == [
            "江苏人社网上办事服务大厅",
            "单位办事",
            "社会保险",
            "社会保险登记",
            "用人单位用工参保登记",
        ]
        assert entry.conditions == "用人单位与劳动者签订劳动合同"

    def test_furong_labour_inspection_office(self, imported):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q13")
        office = entry.offices.get(district__name="芙蓉区")
        assert office.kind == "劳动保障监察机构"
        phone = office.phones.get()
        assert phone.number == "0731-82293155"
        assert "劳动保障监察" in phone.label
        assert phone.tel_href == "tel:073182293155"
        assert entry.offices.filter(kind="劳动保障监察机构").count() == 10

    def test_social_security_card_centre(self, imported):
        office = Office.objects.get(name="长沙市社会保障卡管理服务中心")
        assert office.address == "芙蓉区建湘路151号长沙银行华龙支行2楼"
        assert office.district.name == "芙蓉区"
        assert [p.number for p in office.phones.all()] == ["0731-84159982"]

    def test_districts_are_detected_from_text(self, imported):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q12")
        assert {"芙蓉区", "开福区", "天心区", "雨花区", "岳麓区"} <= set(entry.districts.values_list("name", flat=True))
        assert entry.offices.count() == 7

    def test_benefit_table_is_kept_as_a_table(self, imported):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q31")
        rows = [line for line in entry.answer.splitlines() if line.startswith("|")]
        assert rows[0].replace(" ", "") == "|累计缴费时间|领金期限|"
        assert len(rows) == 2 + 11


@pytest.mark.django_db
class TestReimport:
    def test_second_run_changes_nothing(self, imported, parsed_sources):
        before = {
            "entries": Entry.objects.count(),
            "offices": Office.objects.count(),
            "phones": PhoneNumber.objects.count(),
            "steps": ProcedureStep.objects.count(),
        }
        stamps = dict(Entry.objects.values_list("pk", "updated_at"))
        report = import_parsed(parsed_sources)
        assert report.total("created") == 0
        assert report.total("updated") == 0
        assert report.total("removed") == 0
        assert report.get("entry", "unchanged") == before["entries"]
        assert not report.changed
        after = {
            "entries": Entry.objects.count(),
            "offices": Office.objects.count(),
            "phones": PhoneNumber.objects.count(),
            "steps": ProcedureStep.objects.count(),
        }
        assert after == before
        assert dict(Entry.objects.values_list("pk", "updated_at")) == stamps

    def test_staff_edit_survives_reimport(self, imported, parsed_sources):
        entry = Entry.objects.get(source__filename__startswith="000_", source_key="q5")
        entry.answer = "工作人员更新：养老金每月25日发放。"
        entry.edited_by_staff = True
        entry.save()
        entry.steps.create(order=1, text="工作人员新增的步骤")
        report = import_parsed(parsed_sources)
        entry.refresh_from_db()
        assert entry.answer == "工作人员更新：养老金每月25日发放。"
        assert [s.text for s in entry.steps.all()] == ["工作人员新增的步骤"]
        assert report.get("entry", "kept") == 1
        assert any(entry.question in line for line in report.kept)

    def test_edit_outside_admin_is_detected_too(self, imported, parsed_sources):
        # No marker set: the content no longer matches its import fingerprint.
        entry = Entry.objects.get(source__filename__startswith="004_", source_key="unit1")
        entry.question = "用人单位用工登记（已核对）"
        entry.save()
        report = import_parsed(parsed_sources)
        entry.refresh_from_db()
        assert entry.question == "用人单位用工登记（已核对）"
        assert report.get("entry", "kept") == 1

    def test_untouched_entry_is_restored_to_source(self, imported, parsed_sources):
        entry = Entry.objects.get(source__filename__startswith="002_", source_key="q1")
        original = entry.question
        entry.delete()
        report = import_parsed(parsed_sources)
        assert report.get("entry", "created") == 1
        assert Entry.objects.get(source__filename__startswith="002_", source_key="q1").question == original


@pytest.mark.django_db
class TestCommand:
    def test_dry_run_writes_nothing(self):
        out = StringIO()
        call_command("import_sources", "--dry-run", stdout=out, stderr=StringIO())
        assert Entry.objects.count() == 0
        assert City.objects.count() == 0
        assert Topic.objects.count() == 0
        text = out.getvalue()
        assert "dry run" in text
        created = int(re.search(r"entry: created (\d+)", text).group(1))
        assert created > 190

    def test_run_then_rerun_reports_unchanged(self):
        call_command("import_sources", stdout=StringIO(), stderr=StringIO())
        count = Entry.objects.count()
        out = StringIO()
        call_command("import_sources", stdout=out, stderr=StringIO())
        assert f"entry: unchanged {count}" in out.getvalue()
        assert "unchanged: nothing to do" in out.getvalue()
        assert Entry.objects.count() == count

    def test_missing_file_names_it(self, tmp_path):
        missing = tmp_path / "nope.txt"
        with pytest.raises(CommandError, match="nope.txt"):
            call_command("import_sources", str(missing), stdout=StringIO(), stderr=StringIO())

    def test_unreadable_file_names_it(self, tmp_path):
        bad = tmp_path / "broken.txt"
        bad.write_bytes(b"\xff\xfe\x00garbage \xc3\x28")
        with pytest.raises(CommandError, match="broken.txt"):
            call_command("import_sources", str(bad), stdout=StringIO(), stderr=StringIO())

    def test_unknown_layout_names_it(self, tmp_path):
        other = tmp_path / "other.txt"
        other.write_text("这是一份无关的文档。", encoding="utf-8")
        with pytest.raises(CommandError, match="other.txt"):
            call_command("import_sources", str(other), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_committed_fixture_loads_and_matches_the_sources(parsed_sources):
    call_command("loaddata", "fixtures/knowledge_base.json", verbosity=0)
    loaded = {
        "entries": sorted(Entry.objects.values_list("source__filename", "source_key", "question")),
        "offices": sorted(Office.objects.values_list("name", "address")),
        "phones": PhoneNumber.objects.count(),
        "steps": ProcedureStep.objects.count(),
    }
    assert len(loaded["entries"]) > 200
    Entry.objects.all().delete()
    Office.objects.all().delete()
    PhoneNumber.objects.all().delete()
    import_parsed(parsed_sources)
    fresh = {
        "entries": sorted(Entry.objects.values_list("source__filename", "source_key", "question")),
        "offices": sorted(Office.objects.values_list("name", "address")),
        "phones": PhoneNumber.objects.count(),
        "steps": ProcedureStep.objects.count(),
    }
    assert loaded == fresh, "fixtures/knowledge_base.json is stale: run `make fixture`"
