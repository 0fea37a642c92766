"""GeoReport v2 bodies in XML (declared UTF-8) and JSON (collections as arrays at the root)."""

import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from gridgov.lib.pii import mask_id_number, mask_phone

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
_ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9Xx])")
# 王女士, 李先生, 张阿姨: the way a hotline operator writes down a caller's name.
_ADDRESSED = re.compile(r"[\u4e00-\u9fa5](?=(?:女士|先生|阿姨|叔叔|大爷|大妈|奶奶|爷爷|老师)(?:来电|反映|称|表示|投诉|说|的|，|,|。|：|:|\s|$))")
_PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})(?![0-9])")


def iso(value) -> str | None:
    """2026-01-31T09:00:00+08:00: ISO 8601 in Beijing time, to the second."""
    return None if value is None else timezone.localtime(value).isoformat(timespec="seconds")


def scrub(text: str) -> str:
    """Mask ID numbers, phone numbers and surnames with a form of address written into free text."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    text = _ADDRESSED.sub("*", text)
    return _PHONE.sub(lambda m: mask_phone(m.group(0).replace("-", "")), text)


def _xml_value(parent: ET.Element, key: str, value) -> None:
    element = ET.SubElement(parent, key)
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, list):
        for item in value:
            _xml_item(element, _singular(key), item)
    elif isinstance(value, dict):
        for k, v in value.items():
            _xml_value(element, k, v)
    elif value is not None:
        element.text = str(value)


def _singular(key: str) -> str:
    return {"values": "value", "attributes": "attribute", "endpoints": "endpoint", "formats": "format"}.get(key, key)


def _xml_item(parent: ET.Element, tag: str, item) -> None:
    if isinstance(item, dict):
        element = ET.SubElement(parent, tag)
        for key, value in item.items():
            _xml_value(element, key, value)
    else:
        _xml_value(parent, tag, item)


def xml_document(root: str, item_tag: str | None, body) -> bytes:
    """A list under <root><item_tag>…, or a dict as <root>'s children."""
    element = ET.Element(root)
    if item_tag is None:
        for key, value in body.items():
            _xml_value(element, key, value)
    else:
        for item in body:
            _xml_item(element, item_tag, item)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode()


def respond(fmt: str, body, *, root: str, item_tag: str | None, status: int = 200) -> HttpResponse:
    if fmt == "xml":
        content = xml_document(root, item_tag, body)
    else:
        content = json.dumps(body, ensure_ascii=False).encode()
    return HttpResponse(content, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str) -> HttpResponse:
    fmt = fmt if fmt in CONTENT_TYPES else "json"
    return respond(fmt, [{"code": status, "description": description}], root="errors", item_tag="error",
                   status=status)
