"""Who may see a case's photos: the same people as the page that shows them, checked on every request."""

import pytest
from django.test import Client
from django.urls import reverse

from gridgov.cases import screens
from gridgov.cases.services import Photo
from tests.cases.conftest import jpeg, step, to_state
from tests.cases.test_views import login


@pytest.fixture
def reported(report):
    """A case in grid A with one photo from the resident and one sent with an internal note."""
    case = report(photos=[Photo("before.jpg", jpeg((40, 30)))])
    return case


def _internal_photo(case, people):
    step(case, "note", people["worker_a"], note="现场照片仅内部可见", internal=True,
         photos=[Photo("inside.jpg", jpeg((20, 10)))])
    return case.attachments.get(event__internal=True)


def _get(client, attachment, query=""):
    return client.get(reverse("cases:photo", args=[attachment.pk]) + query)


@pytest.mark.parametrize(("who", "status"), [
    ("worker_a", 200), ("community_staff", 200), ("resident", 200),
    ("worker_b", 404), ("dept_staff", 404), (None, 404),
])
def test_photo_permission_matrix(people, reported, who, status):
    attachment = reported.attachments.get()
    response = _get(login(people[who]) if who else Client(), attachment)
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content)
        assert (response["Content-Type"], len(body)) == ("image/jpeg", attachment.size)
        assert (response["Cache-Control"], response["X-Content-Type-Options"]) == ("private, max-age=3600", "nosniff")


def test_the_tracking_link_shows_its_own_case_photos_only(people, report, reported):
    attachment = reported.attachments.get()
    other = report(description="另一件事：路灯不亮", photos=[Photo("o.jpg", jpeg())])
    assert _get(Client(), attachment, f"?t={screens.track_token(reported)}").status_code == 200
    assert _get(Client(), attachment, f"?t={screens.track_token(other)}").status_code == 404
    assert _get(Client(), attachment, "?t=1-deadbeef").status_code == 404


def test_a_photo_sent_with_an_internal_note_is_for_staff_only(people, reported):
    inside = _internal_photo(reported, people)
    assert _get(login(people["worker_a"]), inside).status_code == 200
    assert _get(login(people["resident"]), inside).status_code == 404
    assert _get(Client(), inside, f"?t={screens.track_token(reported)}").status_code == 404


def test_the_tracking_page_links_photos_with_its_token_and_leaves_internal_ones_out(people, reported):
    _internal_photo(reported, people)
    token = screens.track_token(reported)
    html = Client().get(reverse("cases:track", args=[token])).content.decode()
    public = reported.attachments.get(event__internal=False)
    assert html.count(f'src="{reverse("cases:photo", args=[public.pk])}?t={token}"') == 1
    assert html.count('<img src="/cases/photos/') == 1


def test_the_staff_page_shows_internal_photos_and_the_reporter_page_does_not(people, reported):
    _internal_photo(reported, people)
    url = reverse("cases:case", args=[reported.pk])
    assert login(people["worker_a"]).get(url).content.decode().count('<img src="/cases/photos/') == 2
    assert login(people["resident"]).get(url).content.decode().count('<img src="/cases/photos/') == 1


def test_published_closed_cases_show_their_photos_to_anyone(people, department, reported):
    attachment = reported.attachments.get()
    closed = to_state(reported, "closed", people, department)
    assert _get(Client(), attachment).status_code == 404  # closed but not published
    step(closed, "publish", people["community_staff"], title="东城路占道摊贩已清理", result="已劝离摊贩，恢复通行")
    response = _get(Client(), attachment)
    assert response.status_code == 200
    html = Client().get(reverse("cases:public")).content.decode()
    assert f'src="{reverse("cases:photo", args=[attachment.pk])}"' in html


def test_an_unknown_photo_or_a_missing_file_is_404(people, reported):
    attachment = reported.attachments.get()
    assert login(people["worker_a"]).get(reverse("cases:photo", args=[attachment.pk + 100])).status_code == 404
    attachment.file.storage.delete(attachment.file.name)
    assert _get(login(people["worker_a"]), attachment).status_code == 404


def test_the_old_media_path_is_gone(people, reported):
    attachment = reported.attachments.get()
    assert login(people["worker_a"]).get(f"/media/{attachment.file.name}").status_code == 404


def test_the_api_serves_photos_through_the_same_rule(people, reported):
    attachment = reported.attachments.get()
    detail = login(people["worker_a"]).get(f"/api/v1/cases/{reported.pk}").json()
    assert detail["events"][0]["attachments"] == [f"/api/v1/cases/photos/{attachment.pk}"]
    assert login(people["worker_a"]).get(f"/api/v1/cases/photos/{attachment.pk}").status_code == 200
    assert login(people["worker_b"]).get(f"/api/v1/cases/photos/{attachment.pk}").status_code == 404
