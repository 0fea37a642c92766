import json

import pytest
from django.test import override_settings

from gridgov.core.models import Heartbeat


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.floor")
def test_the_floor_parses_the_body_and_inserts_exactly_one_row(client):
    response = client.post("/bench/floor", data=json.dumps({"channel": "api", "description": "井盖丢了"}),
                           content_type="application/json")
    assert (response.status_code, response.json()) == (201, {"ok": True, "fields": 2})
    assert [row.name[:12] for row in Heartbeat.objects.all()] == ["bench-floor-"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="bench.floor")
def test_the_floor_keeps_the_products_own_routes(client):
    assert client.get("/healthz").json() == {"ok": True}


@pytest.mark.django_db
def test_the_product_itself_has_no_floor_route(client):
    response = client.post("/bench/floor", data="{}", content_type="application/json")
    assert response.status_code == 404
    assert Heartbeat.objects.count() == 0
