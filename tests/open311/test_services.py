from gridgov.lib.keys import key_hash
from gridgov.open311.models import Client
from gridgov.open311.selectors import client_for_key
from gridgov.open311.services import Posted, client_key_create, service_requests_create_many


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


# --- several POSTs at once (service_requests_create_many, the group commit's write) ------------------------

def _posted(key, **form):
    from django.http import QueryDict

    from gridgov.open311 import params

    data = QueryDict(mutable=True)
    data.update({"service_code": "0102", "lat": "29.3905", "long": "106.6205", "description": "楼下垃圾三天没人清运",
                 "attribute[volume]": "large", **form})
    return Posted(api_key=key, data=params.request_input(data))


def test_posts_are_answered_in_their_places_and_only_the_good_ones_written(org, attributes, area):
    from gridgov.cases.models import Case
    from gridgov.open311.errors import Open311Error
    from gridgov.open311.models import ServiceRequest

    client, key = org
    posts = [_posted(key, external_id="a-1"), _posted("o311_wrong"), _posted(key, service_code="9999"),
             _posted(key, **{"attribute[volume]": ""}), _posted(key, phone="1-2"), _posted(key, external_id="a-1"),
             Posted(api_key=key, data=None, error=Open311Error(400, "lat 和 long 须同时提供")), _posted(key)]
    answers = service_requests_create_many(posts=posts)
    refused = [(i, a.status, a.description) for i, a in enumerate(answers) if isinstance(a, Open311Error)]
    assert refused == [(1, 403, "api_key 无效或已停用"), (2, 404, "服务 9999 不存在"),
                       (3, 400, "缺少必填属性 attribute[volume]（垃圾有多少）"), (4, 400, "电话号码格式错误：1-2"),
                       (6, 400, "lat 和 long 须同时提供")]
    first, repeat, plain = answers[0], answers[5], answers[7]
    assert repeat.pk == first.pk and plain.pk != first.pk
    assert (Case.objects.count(), ServiceRequest.objects.count()) == (2, 2)
    assert sorted(ServiceRequest.objects.values_list("case__external_id", flat=True)) == ["", "a-1"]
    assert (first.client, first.category.code, first.attributes) == (client, "0102", {"volume": "large"})
    client.refresh_from_db()
    assert client.last_used_at is not None
