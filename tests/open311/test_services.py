from gridgov.lib.keys import key_hash
from gridgov.open311.models import Client
from gridgov.open311.selectors import client_for_key
from gridgov.open311.services import client_key_create


def test_key_is_stored_hashed_and_renewal_keeps_the_account(db):
    client, key = client_key_create(organisation="随手拍小程序")
    assert key.startswith("o311_") and len(key) > 40
    assert (client.key_hash, client.key_prefix) == (key_hash(key), key[:12])
    assert key not in str(Client.objects.values().get())
    assert client_for_key(key) == client
    renewed, new_key = client_key_create(organisation="随手拍小程序")
    assert (renewed.pk, renewed.user_id) == (client.pk, client.user_id)
    assert (client_for_key(key), client_for_key(new_key)) == (None, client)
    assert (client.user.role, client.user.has_usable_password(), client.user.area_id) == ("system_admin", False, None)


def test_inactive_client_has_no_key(db):
    client, key = client_key_create(organisation="某APP")
    Client.objects.filter(pk=client.pk).update(is_active=False)
    assert client_for_key(key) is None
    assert client_for_key("") is None
