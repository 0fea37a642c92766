import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.enums import AccessAction
from gridgov.accounts.models import AccessLog
from gridgov.people import services
from gridgov.people.models import Household, Move, Resident
from tests.conftest import id_number
from tests.people.ledger_files import row, sheet_rows, xlsx


@pytest.fixture
def zhang(households):
    return Resident.objects.get(name="张秀英")


def text(response) -> str:
    return response.content.decode()


def test_resident_list_is_masked_and_scoped(households, client_for, zhang):
    page = text(client_for("worker_a").get("/people/residents/"))
    assert "张秀英" in page and "李建国" not in page
    assert zhang.masked_id_number in page and "139****5678" in page
    assert zhang.id_number not in page and "13912345678" not in page
    assert "共 1 人" in page


def test_resident_list_filters_by_care_group_and_grid(households, persona, client_for, area):
    li = Resident.objects.get(name="李建国")
    services.care_membership_add(resident=li, group="veteran", valid_from=dt.date(2020, 1, 1))
    client = client_for("community_staff")
    veterans = text(client.get("/people/residents/?care_group=veteran"))
    assert "李建国" in veterans and "张秀英" not in veterans and "王芳" not in veterans
    grid_b = text(client.get(f"/people/residents/?grid={area['grid_b'].code}"))
    assert "共 2 人" in grid_b and "张秀英" not in grid_b
    assert "导出台账（脱敏）" in grid_b and f"/people/export/?area={area['grid_b'].code}" in grid_b


def test_resident_list_pages_by_fifty(place, persona, client_for):
    people = [services.Person(name=f"居民{n:03d}", id_number=id_number(100 + n)) for n in range(51)]
    services.household_move_in(dwelling=place["dwelling_a2"], number="H-BIG", people=people,
                               moved_on=dt.date(2020, 1, 1))
    client = client_for("worker_a")
    first, second = text(client.get("/people/residents/")), text(client.get("/people/residents/?page=2"))
    assert "居民049" in first and "居民050" not in first
    assert "居民050" in second and "第 2 / 2 页" in second


def test_resident_detail_shows_masked_values_history_and_reveal_buttons(households, client_for, zhang):
    page = text(client_for("worker_a").get(f"/people/residents/{zhang.pk}/"))
    assert zhang.masked_id_number in page and zhang.id_number not in page and "13912345678" not in page
    assert page.count("hx-get=\"/people/residents/") == 2 and "迁入" in page and "H-A-1" in page
    steward_page = text(client_for("steward_a").get(f"/people/residents/{zhang.pk}/"))
    assert "hx-get" not in steward_page and zhang.masked_id_number in steward_page


def test_reveal_asks_for_a_reason_then_shows_the_value_and_logs(households, persona, client_for, zhang):
    client = client_for("worker_a")
    form = text(client.get(f"/people/residents/{zhang.pk}/reveal/?field=id_number", HTTP_HX_REQUEST="true"))
    assert 'name="reason"' in form and zhang.id_number not in form

    refused = text(client.post(f"/people/residents/{zhang.pk}/reveal/", {"field": "id_number", "reason": ""}))
    assert zhang.id_number not in refused and AccessLog.objects.count() == 0

    shown = text(client.post(f"/people/residents/{zhang.pk}/reveal/", {"field": "id_number", "reason": "入户核实身份"},
                             REMOTE_ADDR="10.2.3.4"))
    assert zhang.id_number in shown and "已记入访问日志" in shown
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.subject_id, log.field, log.reason, log.ip) == (
        persona["worker_a"], AccessAction.REVEAL, str(zhang.pk), "id_number", "入户核实身份", "10.2.3.4")


def test_move_out_form_records_the_move(households, persona, client_for, zhang):
    response = client_for("worker_a").post(f"/people/residents/{zhang.pk}/move-out/",
                                           {"moved_on": "2024-02-03", "note": "投靠子女"})
    assert response.status_code == 302 and response["Location"] == f"/people/residents/{zhang.pk}/"
    move = Move.objects.get(resident=zhang, kind="move_out")
    assert (move.moved_on, move.note, move.recorded_by) == (dt.date(2024, 2, 3), "投靠子女", persona["worker_a"])


def test_move_out_form_shows_a_domain_error_and_writes_nothing(households, client_for, zhang):
    response = client_for("worker_a").post(f"/people/residents/{zhang.pk}/move-out/", {"moved_on": "2019-01-01"})
    assert response.status_code == 200
    assert "迁出日期 2019-01-01 早于居住起始日期 2020-05-01" in text(response)
    assert Move.objects.filter(resident=zhang).count() == 1


def test_move_within_offers_only_dwellings_in_scope(households, place, client_for):
    page = text(client_for("worker_a").get(f"/people/households/{households['a'].pk}/move-within/"))
    assert f'value="{place["dwelling_a2"].pk}"' in page
    assert f'value="{place["dwelling_b"].pk}"' not in page and f'value="{place["dwelling_a"].pk}"' not in page
    response = client_for("worker_a").post(f"/people/households/{households['a'].pk}/move-within/",
                                           {"to_dwelling": place["dwelling_b"].pk, "moved_on": "2024-01-01"})
    assert response.status_code == 200 and "选择一个有效的选项" in text(response)
    assert Household.objects.get(pk=households["a"].pk).dwelling == place["dwelling_a"]


def test_household_detail_lists_members_and_dwellings(households, place, persona, client_for):
    services.household_move_within(household=households["b"], to_dwelling=place["dwelling_a2"],
                                   moved_on=dt.date(2023, 1, 1), by=persona["community_staff"])
    page = text(client_for("community_staff").get(f"/people/households/{households['b'].pk}/"))
    assert "李建国" in page and "王芳" in page and "辖区内迁居" in page
    lived = page[page.index("住过的房屋"):page.index("迁移记录")]
    assert lived.index("东城公租房2栋 1-0301") < lived.index("东城公租房1栋 1-1202")


def test_unverified_list_and_verify_action(households, client_for):
    client = client_for("worker_a")
    page = text(client.get("/people/households/unverified/?days=30"))
    assert "H-A-1" in page and "H-B-1" not in page and "已核实" in page
    response = client.post(f"/people/households/{households['a'].pk}/verify/",
                           {"next": "/people/households/unverified/?days=30"})
    assert response["Location"] == "/people/households/unverified/?days=30"
    assert Household.objects.get(pk=households["a"].pk).last_verified_on == timezone.localdate()
    assert "共 0 户" in text(client.get("/people/households/unverified/?days=30"))


def test_verify_ignores_a_next_url_off_the_site(households, client_for):
    response = client_for("worker_a").post(f"/people/households/{households['a'].pk}/verify/",
                                           {"next": "https://evil.example/"})
    assert response["Location"] == f"/people/households/{households['a'].pk}/"


def test_unverified_page_hides_the_action_from_readers_who_may_not_write(households, persona, client_for, area):
    persona["community_staff"].role = "command_centre"
    persona["community_staff"].save(update_fields=["role"])
    page = text(client_for("community_staff").get("/people/households/unverified/?days=30"))
    assert "H-A-1" in page and "<button>已核实</button>" not in page


def test_import_page_shows_every_error_and_writes_nothing(households, client_for):
    bad = xlsx([row(姓名="甲", 身份证号=id_number(70)), row(户编号="H-X", 楼栋编码="NOPE", 姓名="乙",
                                                      身份证号=id_number(71))])
    response = client_for("community_staff").post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", bad)})
    page = text(response)
    assert "发现 1 处错误，未写入任何数据" in page and "第3行" in page and "楼栋「NOPE」不存在或不在您的管辖范围内" in page
    assert Resident.objects.count() == 3


def test_import_page_imports_and_reports_the_summary(households, client_for):
    good = xlsx([row(姓名="甲", 身份证号=id_number(70))])
    client = client_for("community_staff")
    first = text(client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", good)}))
    second = text(client.post("/people/import/", {"file": SimpleUploadedFile("a.xlsx", good)}))
    assert "导入完成" in first and "居民 1 新增，户 1 新增" in first
    assert "居民 0 新增，户 0 新增" in second
    assert Resident.objects.filter(name="甲").count() == 1


def test_import_page_refuses_a_non_xlsx_file(households, client_for):
    response = client_for("community_staff").post("/people/import/",
                                                  {"file": SimpleUploadedFile("a.csv", b"a,b\n")})
    assert "无法读取文件，请上传按模板填写的 .xlsx 台账" in text(response)


def test_template_and_export_downloads(households, client_for, area, zhang):
    template = client_for("community_staff").get("/people/import/template/")
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet_rows(template.content)[0][0] == "户编号"
    export = client_for("worker_a").get("/people/export/")
    rows = sheet_rows(export.content)
    assert [r[5] for r in rows[1:]] == ["张秀英"] and rows[1][6] == zhang.masked_id_number
    assert AccessLog.objects.get().subject_id == area["grid_a"].code


def test_party_page_lists_organisations_and_members(households, area, persona, client_for, zhang):
    committee = services.party_organisation_create(kind="committee", name="东城社区党委", area=area["community"])
    branch = services.party_organisation_create(kind="branch", name="第一网格党支部", area=area["grid_a"],
                                                parent=committee)
    services.party_member_add(name="", resident=zhang, organisation=branch)
    page = text(client_for("worker_a").get("/people/party/"))
    assert '<td data-label="名称">第一网格党支部</td>' in page and "张秀英" in page
    assert '<td data-label="名称">东城社区党委</td>' not in page  # the committee's area is above grid A


def _queries(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_pages_do_not_query_per_row(place, persona, client_for):
    client = client_for("worker_a")
    services.household_move_in(dwelling=place["dwelling_a"], number="H-1", moved_on=dt.date(2020, 1, 1),
                               people=[services.Person(name="甲", id_number=id_number(200))])
    few = (_queries(client, "/people/residents/"), _queries(client, "/people/households/unverified/"))
    for n in range(2, 12):
        services.household_move_in(dwelling=place["dwelling_a2"], number=f"H-{n}", moved_on=dt.date(2020, 1, 1),
                                   people=[services.Person(name=f"乙{n}", id_number=id_number(200 + n))])
    many = (_queries(client, "/people/residents/"), _queries(client, "/people/households/unverified/"))
    assert many == few


def test_reveal_of_an_unknown_field_says_so_and_logs_nothing(households, client_for, zhang):
    page = text(client_for("worker_a").post(f"/people/residents/{zhang.pk}/reveal/",
                                            {"field": "birth_date", "reason": "核对"}))
    assert "选择一个有效的选项" in page and AccessLog.objects.count() == 0
