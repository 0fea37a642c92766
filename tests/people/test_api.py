import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.enums import AccessAction
from gridgov.accounts.models import AccessLog, ApiToken
from gridgov.lib.keys import key_hash, new_key
from gridgov.people import services
from gridgov.people.models import Household, Resident
from tests.conftest import id_number
from tests.people.ledger_files import row, sheet_rows, xlsx

API = "/api/v1/people"


@pytest.fixture
def zhang(households):
    return Resident.objects.get(name="张秀英")


def post_json(client, path, data):
    return client.post(API + path, json.dumps(data), content_type="application/json")


def test_resident_list_is_masked_paginated_and_scoped(households, client_for, zhang):
    body = client_for("worker_a").get(API + "/residents").json()
    assert body == {"count": 1, "items": [{
        "id": zhang.pk, "name": "张秀英", "gender": "F", "masked_id_number": zhang.masked_id_number,
        "masked_phone": "139****5678", "area_code": "50011300200100101", "household_id": zhang.household_id,
        "is_active": True}]}
    staff = client_for("community_staff")
    assert staff.get(API + "/residents?area=500113002001002").json()["count"] == 2
    assert [r["name"] for r in staff.get(API + "/residents?q=李").json()["items"]] == ["李建国"]


def test_resident_detail_and_history(households, client_for, zhang):
    services.care_membership_add(resident=zhang, group="elderly_alone", valid_from=dt.date(2021, 1, 1))
    client = client_for("worker_a")
    detail = client.get(f"{API}/residents/{zhang.pk}").json()
    assert (detail["household_number"], detail["hukou_kind"], detail["birth_date"], detail["dwelling"]) == (
        "H-A-1", "non_local", "1950-03-07", "东城公租房1栋 1-1201")
    assert detail["care_groups"] == [{"group": "elderly_alone", "label": "独居老人", "valid_from": "2021-01-01",
                                      "valid_to": None}]
    assert zhang.id_number not in json.dumps(detail, ensure_ascii=False)
    history = client.get(f"{API}/residents/{zhang.pk}/history").json()
    assert [(m["kind"], m["moved_on"], m["to_dwelling"]) for m in history] == [
        ("move_in", "2020-05-01", "东城公租房1栋 1-1201")]


def test_reveal_returns_the_value_and_logs(households, persona, client_for, zhang):
    response = post_json(client_for("worker_a"), f"/residents/{zhang.pk}/reveal",
                         {"field": "id_number", "reason": "核对身份"})
    assert response.json() == {"field": "id_number", "value": zhang.id_number}
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.field, log.reason) == (persona["worker_a"], AccessAction.REVEAL, "id_number",
                                                            "核对身份")


def test_reveal_without_a_reason_is_a_400_and_logs_nothing(households, client_for, zhang):
    response = post_json(client_for("worker_a"), f"/residents/{zhang.pk}/reveal", {"field": "phone", "reason": ""})
    assert (response.status_code, response.json()["message"]) == (400, "请填写查看事由")
    assert AccessLog.objects.count() == 0


def test_move_out_and_verify(households, persona, client_for, zhang):
    client = client_for("worker_a")
    moved = post_json(client, f"/residents/{zhang.pk}/move-out", {"moved_on": "2024-01-31", "note": "外迁"})
    assert moved.json()["is_active"] is False
    assert Household.objects.get(pk=households["a"].pk).is_active is False
    refused = post_json(client, f"/households/{households['a'].pk}/verify", {})
    assert (refused.status_code, refused.json()["message"]) == (400, "户 H-A-1 已迁出，无需核实")

    verified = post_json(client_for("worker_b"), f"/households/{households['b'].pk}/verify", {})
    assert verified.json()["last_verified_on"] == timezone.localdate().isoformat()


def test_unverified_by_days(households, client_for):
    client = client_for("community_staff")
    assert client.get(API + "/households/unverified?days=30").json()["count"] == 2
    services.household_verify(household=households["b"], on=timezone.localdate())
    body = client.get(API + "/households/unverified?days=30").json()
    assert [h["number"] for h in body["items"]] == ["H-A-1"]
    assert client.get(API + "/households/unverified").json()["count"] == 1


def test_import_reports_rows_and_is_idempotent(households, client_for):
    client = client_for("community_staff")
    bad = xlsx([row(姓名="甲", 身份证号=id_number(80)), row(户编号="H-X", 姓名="", 身份证号=id_number(81))])
    refused = client.post(API + "/ledger/import", {"file": SimpleUploadedFile("a.xlsx", bad)})
    assert refused.status_code == 400
    assert refused.json() == {"code": "ledger_invalid", "message": "台账有 1 处错误，未写入任何数据",
                              "errors": [{"row": 3, "column": "姓名", "reason": "必填项为空"}]}
    assert Resident.objects.count() == 3

    good = xlsx([row(姓名="甲", 身份证号=id_number(80))])
    dry = client.post(API + "/ledger/import", {"file": SimpleUploadedFile("a.xlsx", good), "dry_run": "true"})
    assert (dry.json()["applied"], dry.json()["residents_created"], Resident.objects.count()) == (False, 1, 3)
    first = client.post(API + "/ledger/import", {"file": SimpleUploadedFile("a.xlsx", good)}).json()
    second = client.post(API + "/ledger/import", {"file": SimpleUploadedFile("a.xlsx", good)}).json()
    assert (first["applied"], first["residents_created"], first["households_created"]) == (True, 1, 1)
    assert second == {"applied": True, "households_created": 0, "residents_created": 0, "care_added": 0,
                      "residents_existing": 1, "summary": "居民 0 新增，户 0 新增，重点人群 0 新增；1 人已在库"}


def test_export_and_template_with_a_bearer_token(households, persona, area, client_for, zhang):
    key = new_key("ggv")
    ApiToken.objects.create(user=persona["worker_a"], name="测试", prefix=key[:8], key_hash=key_hash(key))
    client = client_for(None)
    export = client.get(API + "/ledger/export", HTTP_AUTHORIZATION=f"Bearer {key}")
    rows = sheet_rows(export.content)
    assert (len(rows), rows[1][6], rows[1][8]) == (2, zhang.masked_id_number, "139****5678")
    assert AccessLog.objects.get().subject_id == area["grid_a"].code
    template = client_for("community_staff").get(API + "/ledger/template")
    assert sheet_rows(template.content)[0][-1] == "重点人群"


def test_party_endpoints(households, area, client_for, zhang):
    committee = services.party_organisation_create(kind="committee", name="东城社区党委", area=area["community"])
    services.party_member_add(name="", resident=zhang, organisation=committee)
    outsider = services.party_member_add(name="周在职")
    services.party_member_enlist(member=outsider, community=area["community"], employer="区税务局",
                                 on=dt.date(2024, 3, 5))
    client = client_for("community_staff")
    assert client.get(API + "/party/organisations").json() == [{
        "id": committee.pk, "kind": "committee", "name": "东城社区党委", "parent_id": None,
        "area_code": "500113002001", "member_count": 1}]
    enlisted = client.get(API + "/party/members?enlisted=true").json()["items"]
    assert enlisted == [{"id": outsider.pk, "name": "周在职", "organisation_id": None, "resident_id": None,
                         "is_enlisted": True, "employer": "区税务局", "enlisted_community_code": "500113002001",
                         "enlisted_on": "2024-03-05"}]
    assert client_for("worker_b").get(API + "/party/members").json()["count"] == 0


def test_move_within_only_to_a_dwelling_in_scope(households, place, persona, client_for):
    client = client_for("worker_a")
    path = f"/households/{households['a'].pk}/move-within"
    refused = post_json(client, path, {"to_dwelling_id": place["dwelling_b"].pk, "moved_on": "2024-01-01"})
    assert refused.status_code == 404
    moved = post_json(client, path, {"to_dwelling_id": place["dwelling_a2"].pk, "moved_on": "2024-01-01"})
    assert moved.json()["dwelling"] == "东城公租房1栋 1-1202"
    assert Resident.objects.get(name="张秀英").moves.last().to_dwelling == place["dwelling_a2"]
