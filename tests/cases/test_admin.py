from django.test import Client

from gridgov.accounts.models import User
from tests.cases.conftest import to_state


def test_admin_shows_cases_read_only_and_edits_category_deadlines(report, people, department, catalogue):
    case = to_state(report(), "dispatched", people, department)
    admin = User.objects.create_superuser("root", password="x-pass-123", role="system_admin")
    client = Client()
    client.force_login(admin)
    for url in ["/admin/cases/case/", f"/admin/cases/case/{case.pk}/change/", "/admin/cases/workorder/",
                "/admin/cases/caseevent/", "/admin/cases/department/", "/admin/cases/calendaroverride/add/",
                "/admin/cases/triagecorrection/", "/admin/notify/outbox/"]:
        assert client.get(url).status_code == 200, url
    page = client.get(f"/admin/cases/case/{case.pk}/change/").content.decode()
    assert "13912345678" not in page
    assert client.post(f"/admin/cases/case/{case.pk}/delete/").status_code == 403
    category = catalogue["0101"]
    form = client.get(f"/admin/cases/category/{category.pk}/change/")
    assert "办结时限（工作日）" in form.content.decode()
