from django.contrib.messages import get_messages

from gridgov.open311.models import Client
from gridgov.open311.selectors import client_for_key


def _key(response) -> str:
    shown = [str(m) for m in get_messages(response.wsgi_request) if "api_key" in str(m)]
    assert len(shown) == 1
    return shown[0].rsplit("：", 1)[1]


def test_admin_adds_an_organisation_and_shows_its_key_once(admin_client):
    response = admin_client.post("/admin/open311/client/add/", {"organisation": "社区随手拍", "is_active": "on"})
    assert response.status_code == 302
    client = Client.objects.get()
    assert client_for_key(_key(response)) == client
    assert client.user.username == "open311-org"


def test_admin_renews_a_key(admin_client, org):
    client, old = org
    response = admin_client.post("/admin/open311/client/", {"action": "renew_key", "_selected_action": [client.pk]})
    assert response.status_code == 302
    assert (client_for_key(old), client_for_key(_key(response))) == (None, client)
