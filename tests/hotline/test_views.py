from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases.models import Case
from tests.hotline.conftest import sheet_row, xlsx


def _upload(content: bytes):
    return {"file": SimpleUploadedFile("orders.xlsx", content)}


def test_staff_import_a_sheet(client_for, place, catalogue):
    response = client_for("community_staff").post("/hotline/import/", _upload(xlsx([sheet_row("GD1")])))
    assert response.status_code == 200
    case = Case.objects.get()
    assert "新导入 1 条，已存在 0 条。" in response.content.decode()
    assert f"#{case.pk}" in response.content.decode()


def test_errors_are_listed_by_row_and_column(client_for, place, catalogue):
    response = client_for("community_staff").post("/hotline/import/", _upload(xlsx([sheet_row("GD1", due_at="x")])))
    assert response.status_code == 400
    assert response.context["details"] == [{"row": 2, "column": "办理时限", "reason": "时间格式错误：x"}]
    assert Case.objects.count() == 0


def test_page_is_for_staff_only(client_for, place, catalogue):
    assert client_for("community_staff").get("/hotline/import/").status_code == 200
    assert client_for("worker_a").post("/hotline/import/", _upload(xlsx([sheet_row("GD1")]))).status_code == 404
    assert Case.objects.count() == 0


def test_menu_shows_the_page_to_importers_only(client_for, place, catalogue):
    page = client_for("community_staff").get("/hotline/import/").content.decode()
    assert '<a href="/hotline/import/" class="active">12345工单导入</a>' in page
    assert "/hotline/import/" not in client_for("worker_a").get("/").content.decode()
