"""Triage on intake: the suggestion comes from gridgov.cases.triage, a different registered category is a
correction, and closed cases and corrections become training pairs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from gridgov.cases import services
from gridgov.cases.models import Category, TriageCorrection
from gridgov.cases.training import triage_training_pairs
from gridgov.demo.departments import CATALOGUE
from tests.cases.conftest import step, to_state
from tests.conftest import PASSWORD

LAMP = "晚上小区里的路灯坏了不亮"


@pytest.fixture
def triage_catalogue(people, settings, tmp_path):
    """The triage catalogue in the database, and no trained model (the keyword rules answer)."""
    settings.VAR_DIR = tmp_path
    services.category_sync_from_catalogue(CATALOGUE)
    return {c.code: c for c in Category.objects.filter(is_active=True)}


def test_intake_suggests_the_triage_category_with_its_p(report, triage_catalogue):
    case = report(description=LAMP)
    assert (case.suggested_category.code, case.suggested_category.name, case.suggested_p) == ("0501", "路灯照明", 1.0)


def test_the_case_page_shows_the_suggestion_and_preselects_it(report, people, triage_catalogue):
    case = step(report(description=LAMP), "accept", people["worker_a"])
    client = Client()
    client.login(username="worker_a", password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "系统建议：路灯照明（镇城市管理办公室）" in page
    assert f'<option value="{triage_catalogue["0501"].pk}" selected>' in page


def test_the_suggestion_preselects_the_categorys_whistle(report, people, triage_catalogue):
    case = step(report(description="楼下燃气管道漏气了，闻到很大一股煤气味"), "accept", people["worker_a"])
    assert (case.suggested_category.code, case.suggested_category.whistle) == ("0804", "urgent")
    client = Client()
    client.login(username="worker_a", password=PASSWORD)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "系统建议：燃气（区燃气公司，应急哨）" in page
    assert '<option value="urgent" selected>应急哨</option>' in page
    assert page.count("selected>") == 3  # the category, the whistle and the level (网格)


def test_registering_another_category_records_one_correction(report, people, triage_catalogue):
    case = step(report(description=LAMP), "accept", people["worker_a"])
    step(case, "register", people["worker_a"], category=triage_catalogue["0101"].pk, affair_kind="public")
    correction = TriageCorrection.objects.get()
    assert (correction.case_id, correction.suggested.code, correction.chosen.code, correction.by) == (
        case.pk, "0501", "0101", people["worker_a"])


def test_registering_the_suggested_category_records_none(report, people, triage_catalogue):
    case = step(report(description=LAMP), "accept", people["worker_a"])
    step(case, "register", people["worker_a"], category=triage_catalogue["0501"].pk, affair_kind="public")
    assert TriageCorrection.objects.count() == 0


def test_training_takes_closed_cases_and_corrections(report, people, department, triage_catalogue, tmp_path):
    to_state(report(description="小区门口有人占道摆摊"), "closed", people, department)
    corrected = step(report(description=LAMP), "accept", people["worker_a"])
    step(corrected, "register", people["worker_a"], category=triage_catalogue["0101"].pk, affair_kind="public")
    assert triage_training_pairs() == [("小区门口有人占道摆摊", "0101"), (LAMP, "0101")]
    out = StringIO()
    call_command("triage", "--model", str(tmp_path / "m.pkl"), "train", stdout=out)
    assert "事件记录中的样本 2 条" in out.getvalue()
    assert "额外样本 2 条（类别不在目录中而舍弃 0 条）" in out.getvalue()
