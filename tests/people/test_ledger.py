import datetime as dt
import io
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts.enums import AccessAction
from gridgov.accounts.models import AccessLog
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib import idcard
from gridgov.people import ledger
from gridgov.people.models import CareMembership, Household, Move, Resident
from tests.conftest import id_number
from tests.people.ledger_files import row, sheet_rows, xlsx

LIU = id_number(10, dt.date(1975, 4, 5), "M")
CHEN = id_number(11, dt.date(1977, 8, 9), "F")
ZHAO = id_number(12, dt.date(1940, 1, 1), "M")
SUN = id_number(13, dt.date(2015, 2, 3), "M")


def people_state() -> tuple:
    """Everything an import may write to the population base."""
    return (
        list(Household.objects.order_by("id").values_list("id", "number", "dwelling_id", "area_code", "moved_in_on",
                                                          "last_verified_on", "is_active")),
        list(Resident.objects.order_by("id").values_list("id", "name", "household_id", "area_code", "is_active")),
        list(Move.objects.order_by("id").values_list("id", "resident_id", "kind", "moved_on")),
        list(CareMembership.objects.order_by("id").values_list("id", "resident_id", "group", "valid_to")),
    )


def clean_rows() -> list[dict]:
    zhang = id_number(1)
    return [
        row(姓名="刘洋", 身份证号=LIU, 性别="男", 单元=1, 楼层=12, 联系电话="13700000001", 与户主关系="户主",
            户籍类型="本地户籍", 重点人群="困难家庭"),
        row(姓名="陈静", 身份证号=CHEN, 联系电话=13700000002,
            与户主关系="配偶", 户籍类型="非本地户籍", 居住起始日期=dt.datetime(2021, 3, 1)),
        row(户编号="H-NEW-2", 楼栋编码="B-B-1", 房号="1-0301", 单元=1, 楼层=3, 姓名="赵大爷", 身份证号=ZHAO,
            性别="男", 与户主关系="户主", 居住起始日期="2019/06/15", 重点人群="独居老人，残疾人"),
        row(户编号="H-A-1", 房号="1-1201", 姓名="张秀英", 身份证号=zhang, 性别="女", 联系电话="13912345678",
            户籍类型="非本地户籍", 居住起始日期="2020-05-01", 重点人群="独居老人"),
        row(户编号="H-A-1", 房号="1-1201", 姓名="孙小明", 身份证号=SUN, 与户主关系="孙辈",
            居住起始日期=dt.date(2022, 9, 1), 重点人群="困境儿童"),
    ]


def run(content: bytes, user, **kwargs) -> ledger.LedgerResult:
    return ledger.ledger_import(file=io.BytesIO(content), user=user, filename="台账.xlsx", **kwargs)


def test_clean_file_imports_exactly_its_rows(households, persona, place):
    staff = persona["community_staff"]
    result = run(xlsx(clean_rows()), staff)

    assert (result.errors, result.applied) == ([], True)
    assert (result.households_created, result.residents_created, result.care_added, result.residents_existing) \
        == (2, 4, 5, 1)
    assert result.summary == "居民 4 新增，户 2 新增，重点人群 5 新增；1 人已在库"
    assert Household.objects.count() == 4 and Resident.objects.count() == 7
    new_1 = Household.objects.get(number="H-NEW-1")
    assert (new_1.dwelling, new_1.area_code, new_1.moved_in_on, new_1.last_verified_on) == (
        place["dwelling_a2"], "50011300200100101", dt.date(2021, 3, 1), None)
    assert sorted(new_1.members.values_list("name", "household_role", "hukou_kind")) == [
        ("刘洋", "head", "local"), ("陈静", "spouse", "non_local")]
    liu = Resident.objects.get(name="刘洋")
    assert (liu.gender, liu.birth_date, liu.phone, liu.id_number) == ("M", dt.date(1975, 4, 5), "13700000001", LIU)
    assert Resident.objects.get(name="陈静").phone == "13700000002"
    zhao = Resident.objects.get(name="赵大爷")
    assert (zhao.household.number, zhao.area_code, zhao.residence_since) == (
        "H-NEW-2", "50011300200100201", dt.date(2019, 6, 15))
    sun = Resident.objects.get(name="孙小明")
    assert (sun.household, sun.gender, sun.residence_since) == (households["a"], "M", dt.date(2022, 9, 1))
    assert list(Move.objects.filter(recorded_by=staff).order_by("resident__name").values_list(
        "resident__name", "kind", "moved_on")) == [
        ("刘洋", "move_in", dt.date(2021, 3, 1)), ("孙小明", "move_in", dt.date(2022, 9, 1)),
        ("赵大爷", "move_in", dt.date(2019, 6, 15)), ("陈静", "move_in", dt.date(2021, 3, 1))]
    assert sorted(CareMembership.objects.values_list("resident__name", "group")) == [
        ("刘洋", "hardship"), ("孙小明", "child_difficulty"), ("张秀英", "elderly_alone"),
        ("赵大爷", "disabled"), ("赵大爷", "elderly_alone")]
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject_type, log.subject_id, log.reason) == (
        staff, AccessAction.IMPORT, "ledger", "台账.xlsx", result.summary)


def test_the_same_file_twice_changes_nothing(households, persona):
    content = xlsx(clean_rows())
    run(content, persona["community_staff"])
    before = people_state()

    again = run(content, persona["community_staff"])

    assert (again.errors, again.applied) == ([], True)
    assert (again.households_created, again.residents_created, again.care_added, again.residents_existing) \
        == (0, 0, 0, 5)
    assert again.summary.startswith("居民 0 新增，户 0 新增，重点人群 0 新增")
    assert people_state() == before


def test_bad_rows_are_all_reported_and_nothing_is_written(households, persona):
    li = id_number(2, dt.date(1980, 1, 2), "M")
    good = id_number(30, dt.date(1990, 1, 1), "F")
    bad_check = id_number(31)[:17] + ("0" if id_number(31)[17] != "0" else "1")
    rows = [
        row(姓名="甲", 身份证号=good),
        row(户编号="H-X-1", 姓名="乙", 身份证号=bad_check),
        row(户编号="H-X-2", 楼栋编码="B-Z-9", 姓名="丙", 身份证号=id_number(32)),
        row(户编号="H-X-3", 姓名="丁", 身份证号=good),
        row(户编号="H-X-4", 姓名="戊", 身份证号=li),
        row(户编号="H-X-5", 身份证号=id_number(33)),
        row(户编号="H-X-6", 姓名="己", 身份证号=id_number(34), 居住起始日期="2021-13-01"),
        row(户编号="H-X-7", 房号="9-9999", 姓名="庚", 身份证号=id_number(35)),
        row(户编号="H-X-8", 姓名="辛", 身份证号=id_number(36), 重点人群="独居老人,孤寡"),
        row(户编号="H-X-9", 姓名="壬", 身份证号=id_number(37), 性别="男"),
        row(户编号="H-X-10", 姓名="癸", 身份证号=id_number(38), 单元=2, 联系电话="12-34"),
        row(户编号="H-NEW-1", 房号="1-1201", 姓名="子", 身份证号=id_number(39)),
        row(户编号="H-B-1", 姓名="丑", 身份证号=id_number(40)),
    ]
    before, logs = people_state(), AccessLog.objects.count()

    result = run(xlsx(rows), persona["community_staff"])

    assert [(e.row, e.column, e.reason) for e in result.errors] == [
        (3, "身份证号", "身份证号校验位错误"),
        (4, "楼栋编码", "楼栋「B-Z-9」不存在或不在您的管辖范围内"),
        (5, "身份证号", "与第2行重复（同一人）"),
        (6, "身份证号", "重复人员：该身份证号已在库中登记（在其他户或已迁出）"),
        (7, "姓名", "必填项为空"),
        (8, "居住起始日期", "日期格式错误：2021-13-01（应如 2020-05-01）"),
        (9, "房号", "楼栋「B-A-1」下没有房号「9-9999」"),
        (10, "重点人群", "未知的重点人群「孤寡」，可选：" + "、".join(ledger._CARE)),
        (11, "性别", "与身份证号不符（证件号为女性）"),
        (12, "单元", "与房屋登记不符（登记为 1 单元）"),
        (12, "联系电话", "电话号码格式错误：12-34"),
        (13, "户编号", "与第2行同一户编号，但房屋不同"),
        (14, "户编号", "户编号「H-B-1」已登记在其他房屋"),
    ]
    assert str(result.errors[0]) == "第3行 [身份证号] 身份证号校验位错误"
    assert result.applied is False
    assert people_state() == before
    assert AccessLog.objects.count() == logs


def test_missing_columns_are_reported_on_the_header_row(persona, place):
    columns = [c for c in ledger.COLUMNS if c not in ("身份证号", "重点人群")]
    result = run(xlsx([row(姓名="甲")], columns=columns), persona["community_staff"])
    assert [str(e) for e in result.errors] == ["第1行 [身份证号] 缺少此列", "第1行 [重点人群] 缺少此列"]


def test_a_file_without_data_rows_is_an_error(persona, place):
    result = run(xlsx([{}, {}]), persona["community_staff"])
    assert [str(e) for e in result.errors] == ["第2行 [—] 文件中没有数据行"]


def test_a_file_that_is_not_xlsx_is_refused(persona, place):
    with pytest.raises(DomainError) as raised:
        run(b"name,id\n", persona["community_staff"])
    assert raised.value.code == "invalid_file"


def test_buildings_outside_the_importers_scope_are_unknown(households, persona):
    persona["community_staff"].area = persona["worker_a"].area  # staff of grid A only
    result = run(xlsx([row(户编号="H-X", 楼栋编码="B-B-1", 房号="1-0301", 姓名="甲", 身份证号=LIU)]),
                 persona["community_staff"])
    assert [str(e) for e in result.errors] == ["第2行 [楼栋编码] 楼栋「B-B-1」不存在或不在您的管辖范围内"]


def test_dry_run_counts_without_writing(households, persona):
    before = people_state()
    result = run(xlsx(clean_rows()), persona["community_staff"], dry_run=True)
    assert (result.applied, result.households_created, result.residents_created) == (False, 2, 4)
    assert people_state() == before


def test_only_ledger_importers_may_import(households, persona):
    before = people_state()
    with pytest.raises(NotAllowed):
        run(xlsx(clean_rows()), persona["worker_a"])
    assert people_state() == before


def test_template_has_the_columns_and_imports_as_empty(persona):
    content = ledger.template_bytes()
    assert sheet_rows(content) == [ledger.COLUMNS]
    result = run(content, persona["community_staff"])
    assert [str(e) for e in result.errors] == ["第2行 [—] 文件中没有数据行"]


def test_export_is_masked_and_logged(households, persona, area):
    worker = persona["worker_a"]
    content, count = ledger.ledger_export(user=worker, area_code=area["grid_a"].code, ip="10.0.0.8")
    rows = sheet_rows(content)
    zhang = Resident.objects.get(name="张秀英")
    assert count == 1
    assert rows[0] == ledger.COLUMNS
    assert rows[1] == ["H-A-1", "B-A-1", "1-1201", 1, 12, "张秀英", zhang.masked_id_number, "女", "139****5678",
                       "户主", "非本地户籍", dt.datetime(2020, 5, 1), None]
    assert zhang.id_number not in repr(rows) and "13912345678" not in repr(rows)
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject_type, log.subject_id, log.ip) == (
        worker, AccessAction.EXPORT, "area", area["grid_a"].code, "10.0.0.8")


def test_export_outside_scope_or_by_a_steward_is_refused(households, persona, area):
    with pytest.raises(DomainError) as raised:
        ledger.ledger_export(user=persona["worker_a"], area_code=area["grid_b"].code)
    assert raised.value.status == 404
    with pytest.raises(NotAllowed):
        ledger.ledger_export(user=persona["steward_a"])
    assert AccessLog.objects.count() == 0


def test_an_exported_file_cannot_be_reimported_as_plaintext(households, persona, area):
    content, _ = ledger.ledger_export(user=persona["community_staff"])
    before = people_state()
    result = run(content, persona["community_staff"])
    assert {(e.column, e.reason) for e in result.errors} == {
        ("身份证号", "身份证号应为18位（前17位数字，末位数字或X）"), ("联系电话", "电话号码格式错误：139****5678"),
        ("联系电话", "电话号码格式错误：138****1111")}
    assert people_state() == before


# --- management commands ------------------------------------------------------------------

def test_import_command_prints_errors_and_fails(households, persona, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([row(姓名="甲", 身份证号=LIU[:17] + ("0" if LIU[17] != "0" else "1"))]))
    before = people_state()
    err = io.StringIO()
    with pytest.raises(CommandError, match="台账有 1 处错误，未写入任何数据"):
        call_command("import", "ledger", str(path), "--by", "community_staff", stderr=err)
    assert err.getvalue() == "第2行 [身份证号] 身份证号校验位错误\n"
    assert people_state() == before


def test_import_command_imports_once(households, persona, tmp_path):
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(xlsx(clean_rows()))
    out = io.StringIO()
    call_command("import", "ledger", str(path), "--dry-run", stdout=out)
    assert Resident.objects.count() == 3
    call_command("import", "ledger", str(path), stdout=out)
    call_command("import", "ledger", str(path), "--by", "community_staff", stdout=out)
    assert out.getvalue().splitlines() == [
        "检查通过（未写入）：居民 4 新增，户 2 新增，重点人群 5 新增；1 人已在库",
        "导入完成：居民 4 新增，户 2 新增，重点人群 5 新增；1 人已在库",
        "导入完成：居民 0 新增，户 0 新增，重点人群 0 新增；5 人已在库",
    ]
    assert Move.objects.filter(recorded_by=None).count() == 3 + 4  # fixture households and the first import


def test_import_command_exits_non_zero_on_a_missing_file(tmp_path):
    done = subprocess.run([sys.executable, "-m", "gridgov", "import", "ledger", str(tmp_path / "none.xlsx")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "无法打开文件" in done.stderr


def test_export_command_writes_a_masked_file(households, persona, area, tmp_path):
    out_path = tmp_path / "grid-a.xlsx"
    out = io.StringIO()
    call_command("export", "ledger", "--area", area["grid_a"].code, "--out", str(out_path), "--by", "worker_a",
                 stdout=out)
    assert out.getvalue() == f"已导出 1 人（脱敏）到 {out_path}\n"
    assert sheet_rows(out_path.read_bytes())[1][6] == Resident.objects.get(name="张秀英").masked_id_number
    assert AccessLog.objects.get().action == AccessAction.EXPORT


def test_export_command_refuses_an_area_out_of_scope(households, persona, area, tmp_path):
    with pytest.raises(CommandError, match="不在您的管辖范围内"):
        call_command("export", "ledger", "--area", area["grid_b"].code, "--out", str(tmp_path / "x.xlsx"),
                     "--by", "worker_a")
    assert not (tmp_path / "x.xlsx").exists()


def test_idcard_fixture_numbers_are_valid():
    for number in (LIU, CHEN, ZHAO, SUN):
        idcard.parse(number)


def test_an_importer_who_may_not_write_residents_is_refused_before_reading(households, persona):
    persona["community_staff"].role = "command_centre"  # in LEDGER_IMPORTERS, not in PEOPLE_WRITERS
    before = people_state()
    with pytest.raises(NotAllowed):
        run(xlsx(clean_rows()), persona["community_staff"])
    assert people_state() == before
