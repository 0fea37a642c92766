"""The permission matrix over every people endpoint, pages and API.

The subject is always grid A's household H-A-1 and its resident 张秀英. In scope: allowed;
out of scope: 404; wrong role: 403; anonymous: the login page (pages) or 401 (API). A refused
request changes nothing; an allowed write changes something.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.models import AccessLog
from gridgov.people.models import CareMembership, Household, Move, Resident
from tests.conftest import id_number
from tests.people.ledger_files import row, xlsx

PERSONAS = ["worker_a", "worker_b", "community_staff", "steward_a", "resident", "auditor", None]


def _expect(a, b, staff, steward, resident=403, auditor=403) -> dict:
    return {"worker_a": a, "worker_b": b, "community_staff": staff, "steward_a": steward,
            "resident": resident, "auditor": auditor}


LIST = _expect(200, 200, 200, 200)
READ_A = _expect(200, 404, 200, 200)
REVEAL_A = _expect(200, 404, 200, 403)
WRITE_PAGE_A = _expect(302, 404, 302, 302)
WRITE_API_A = _expect(200, 404, 200, 200)
IMPORTERS = _expect(403, 403, 200, 403)
EXPORT_A = _expect(200, 404, 200, 403)


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: Callable[[dict], str]
    expect: dict
    data: Callable[[dict], dict] | None = None
    writes: bool = False

    @property
    def api(self) -> bool:
        return self.name.startswith("api ")


def _ledger_file(ctx) -> dict:
    content = xlsx([row(姓名="新居民", 身份证号=id_number(60))])
    return {"file": SimpleUploadedFile("台账.xlsx", content)}


def _resident(suffix: str = "") -> Callable[[dict], str]:
    return lambda ctx: f"/people/residents/{ctx['zhang']}/{suffix}"


def _household(suffix: str = "") -> Callable[[dict], str]:
    return lambda ctx: f"/people/households/{ctx['household']}/{suffix}"


def _api(path: str) -> Callable[[dict], str]:
    return lambda ctx: "/api/v1/people" + path.format(**ctx)


ENDPOINTS = [
    Endpoint("resident list", "get", lambda ctx: "/people/residents/?q=张", LIST),
    Endpoint("resident detail", "get", _resident(), READ_A),
    Endpoint("reveal form", "get", lambda ctx: f"/people/residents/{ctx['zhang']}/reveal/?field=phone", REVEAL_A),
    Endpoint("reveal", "post", _resident("reveal/"), REVEAL_A,
             lambda ctx: {"field": "id_number", "reason": "入户核实身份"}, writes=True),
    Endpoint("move-out form", "get", _resident("move-out/"), READ_A),
    Endpoint("move out", "post", _resident("move-out/"), WRITE_PAGE_A,
             lambda ctx: {"moved_on": "2024-01-01", "note": "外迁"}, writes=True),
    Endpoint("household detail", "get", _household(), READ_A),
    Endpoint("verify", "post", _household("verify/"), WRITE_PAGE_A, lambda ctx: {}, writes=True),
    Endpoint("move-within form", "get", _household("move-within/"), READ_A),
    Endpoint("move within", "post", _household("move-within/"), WRITE_PAGE_A,
             lambda ctx: {"to_dwelling": ctx["dwelling_a2"], "moved_on": "2024-01-01"}, writes=True),
    Endpoint("unverified", "get", lambda ctx: "/people/households/unverified/?days=30", LIST),
    Endpoint("party", "get", lambda ctx: "/people/party/", LIST),
    Endpoint("import page", "get", lambda ctx: "/people/import/", IMPORTERS),
    Endpoint("import", "post", lambda ctx: "/people/import/", IMPORTERS, _ledger_file, writes=True),
    Endpoint("template", "get", lambda ctx: "/people/import/template/", IMPORTERS),
    Endpoint("export", "get", lambda ctx: f"/people/export/?area={ctx['grid_a']}", EXPORT_A, writes=True),
    Endpoint("api residents", "get", _api("/residents?q=张"), LIST),
    Endpoint("api resident", "get", _api("/residents/{zhang}"), READ_A),
    Endpoint("api history", "get", _api("/residents/{zhang}/history"), READ_A),
    Endpoint("api reveal", "post", _api("/residents/{zhang}/reveal"), REVEAL_A,
             lambda ctx: {"field": "phone", "reason": "电话回访"}, writes=True),
    Endpoint("api move out", "post", _api("/residents/{zhang}/move-out"), WRITE_API_A,
             lambda ctx: {"moved_on": "2024-01-01"}, writes=True),
    Endpoint("api unverified", "get", _api("/households/unverified?days=30"), LIST),
    Endpoint("api household", "get", _api("/households/{household}"), READ_A),
    Endpoint("api verify", "post", _api("/households/{household}/verify"), WRITE_API_A, lambda ctx: {},
             writes=True),
    Endpoint("api move within", "post", _api("/households/{household}/move-within"), WRITE_API_A,
             lambda ctx: {"to_dwelling_id": ctx["dwelling_a2"], "moved_on": "2024-01-01"}, writes=True),
    Endpoint("api template", "get", _api("/ledger/template"), IMPORTERS),
    Endpoint("api import", "post", _api("/ledger/import"), IMPORTERS, _ledger_file, writes=True),
    Endpoint("api export", "get", _api("/ledger/export?area={grid_a}"), EXPORT_A, writes=True),
    Endpoint("api party organisations", "get", _api("/party/organisations"), LIST),
    Endpoint("api party members", "get", _api("/party/members"), LIST),
]


def state() -> tuple:
    return (
        list(Resident.objects.order_by("id").values_list("id", "is_active", "area_code", "household_id")),
        list(Household.objects.order_by("id").values_list("id", "dwelling_id", "last_verified_on", "is_active")),
        Move.objects.count(), CareMembership.objects.count(), AccessLog.objects.count(),
    )


@pytest.fixture
def ctx(households, persona, place, area):
    return {"zhang": Resident.objects.get(name="张秀英").pk, "household": households["a"].pk,
            "dwelling_a2": place["dwelling_a2"].pk, "grid_a": area["grid_a"].code}


def _request(client, endpoint: Endpoint, ctx: dict):
    path = endpoint.path(ctx)
    if endpoint.method == "get":
        return client.get(path)
    data = endpoint.data(ctx)
    if endpoint.api and "file" not in data:
        return client.post(path, json.dumps(data), content_type="application/json")
    return client.post(path, data)


@pytest.mark.parametrize("who", PERSONAS, ids=lambda p: p or "anonymous")
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_permission_matrix(endpoint, who, ctx, client_for):
    before = state()
    response = _request(client_for(who), endpoint, ctx)

    if who is None:
        if endpoint.api:
            assert response.status_code == 401
            assert response.json()["code"] == "unauthenticated"
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/?next=/people/")
        assert state() == before
        return
    expected = endpoint.expect[who]
    assert response.status_code == expected, response.content[:300]
    allowed = expected in (200, 302)
    if allowed and endpoint.writes:
        assert state() != before
    else:
        assert state() == before
    if endpoint.api and not allowed:
        assert response.json()["code"] == {403: "forbidden", 404: "not_found"}[expected]
