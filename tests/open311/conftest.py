"""Open311 fixtures: the case catalogue, service attributes, an organisation with its key, and schema oracles.

Every JSON body is validated against the GeoReport v2 schemas in data/ (or, for discovery and errors,
the spec's shapes); every XML body is parsed and must carry the UTF-8 declaration.
"""

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from gridgov.open311 import services
from tests.cases.conftest import MONDAY, catalogue, department, people, report  # noqa: F401

DATA = Path(__file__).parent / "data"
ISO_BEIJING = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def _schema(name: str) -> dict:
    return json.loads((DATA / f"{name}.schema.json").read_text(encoding="utf-8"))


_REGISTRY = Registry().with_resources(
    (f"{name}.json", Resource.from_contents(_schema(name), default_specification=DRAFT7))
    for name in ("request", "service"))
ERRORS_SCHEMA = {"type": "array", "minItems": 1, "items": {
    "type": "object", "required": ["code", "description"], "additionalProperties": False,
    "properties": {"code": {"type": "integer"}, "description": {"type": "string", "minLength": 1}}}}
DISCOVERY_SCHEMA = {"type": "object", "required": ["changeset", "contact", "endpoints"], "properties": {
    "endpoints": {"type": "array", "minItems": 1, "items": {
        "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
        "properties": {"formats": {"type": "array", "items": {"type": "string"}}}}}}}
UPDATES_SCHEMA = {"type": "array", "items": {
    "type": "object", "required": ["update_id", "service_request_id", "status", "updated_datetime", "description"],
    "properties": {k: {"type": "string"} for k in ("update_id", "service_request_id", "status", "description")}}}
POST_SCHEMA = {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["service_request_id"],
                                                       "properties": {"service_request_id": {"type": "string"}}}}
UPDATE_POSTED_SCHEMA = {"type": "array", "minItems": 1, "maxItems": 1, "items": {
    "type": "object", "required": ["update_id"], "additionalProperties": False,
    "properties": {"update_id": {"type": "string"}}}}
SCHEMAS = {
    "services": _schema("services"), "service-definition": _schema("service-definition"),
    "requests": _schema("requests"), "errors": ERRORS_SCHEMA, "discovery": DISCOVERY_SCHEMA,
    "updates": UPDATES_SCHEMA, "post": POST_SCHEMA, "update-posted": UPDATE_POSTED_SCHEMA,
}
DATETIME_FIELDS = ("requested_datetime", "updated_datetime", "expected_datetime")


def valid(body, schema: str):
    Draft7Validator(SCHEMAS[schema], registry=_REGISTRY).validate(body)
    for item in body if isinstance(body, list) else [body]:
        for name in DATETIME_FIELDS:
            if item.get(name) is not None:
                assert ISO_BEIJING.match(item[name]), item[name]
    return body


def as_json(response, schema: str, status: int = 200):
    """The JSON body of a response, after checking status, content type and schema."""
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return valid(json.loads(response.content), schema)


def as_xml(response, status: int = 200) -> ET.Element:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(response.content)


def error_of(response, status: int) -> str:
    body = as_json(response, "errors", status)
    assert [e["code"] for e in body] == [status]
    return body[0]["description"]


@pytest.fixture
def org(db):
    """An organisation with its Open311 key: (client, key)."""
    return services.client_key_create(organisation="随手拍小程序")


@pytest.fixture
def attributes(catalogue):  # noqa: F811
    """垃圾清运 (0102) asks how much (required), which kinds, how many bags and since when."""
    category = catalogue["0102"]
    return [
        services.service_attribute_set(category=category, code="volume", datatype="singlevaluelist", required=True,
                                       order=1, description="垃圾有多少",
                                       values=[{"key": "small", "name": "少量"}, {"key": "large", "name": "大量"}]),
        services.service_attribute_set(category=category, code="kinds", datatype="multivaluelist", order=2,
                                       description="垃圾种类", values=[{"key": "kitchen", "name": "厨余"},
                                                                    {"key": "bulky", "name": "大件"},
                                                                    {"key": "building", "name": "建筑垃圾"}]),
        services.service_attribute_set(category=category, code="bags", datatype="number", order=3,
                                       description="大约几袋", datatype_description="填数字"),
        services.service_attribute_set(category=category, code="since", datatype="datetime", order=4,
                                       description="从什么时候开始堆放"),
    ]
