"""One GeoReport v2 record per object, as ordered dicts (XML element order follows the spec)."""

from django.urls import reverse

from gridgov.cases.enums import TRANSITIONS, CaseState
from gridgov.cases.models import Case, CaseEvent, Category
from gridgov.open311.enums import CLOSED_STATES, UPDATE_STATUS_OF_OUTCOME, UPDATE_STATUS_OF_STATE
from gridgov.open311.params import MAX_DESCRIPTION
from gridgov.open311.render import iso, scrub


def service_record(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{category.parent.name} · {category.name}",
        "metadata": bool(category.open311_attributes.all()),
        "type": "realtime",
        "keywords": ",".join(category.keywords),
        "group": category.parent.name,
    }


def attribute_record(attribute) -> dict:
    record = {
        "variable": attribute.variable,
        "code": attribute.code,
        "datatype": attribute.datatype,
        "required": attribute.required,
        "datatype_description": attribute.datatype_description or None,
        "order": attribute.order,
        "description": attribute.description,
    }
    if attribute.values:
        record["values"] = [{"key": str(v["key"]), "name": str(v["name"])} for v in attribute.values]
    return record


def definition_record(category: Category, attributes) -> dict:
    return {"service_code": category.code, "attributes": [attribute_record(a) for a in attributes]}


def service_of(case: Case) -> Category | None:
    request = getattr(case, "open311_request", None) if _has_request(case) else None
    return case.category or (request.category if request else None) or case.suggested_category


def _has_request(case: Case) -> bool:
    try:
        return case.open311_request is not None
    except Case.open311_request.RelatedObjectDoesNotExist:
        return False


def building_address(case: Case) -> str | None:
    if not case.building_id:
        return None
    building = case.building
    return building.address or f"{building.estate.name}{building.name}"


def status_notes(case: Case) -> str:
    label = case.get_state_display()
    if case.state == CaseState.REJECTED and case.reject_reason:
        return f"{label}：{scrub(case.reject_reason)}"
    if case.state == CaseState.MERGED and case.merged_into_id:
        return f"{label}：并入诉求 {case.merged_into_id}"
    if case.state == CaseState.CLOSED and case.outcome:
        return f"{label}：{case.get_outcome_display()}"
    return label


def media_url(case: Case, absolute) -> str | None:
    if _has_request(case) and case.open311_request.media_url:
        return case.open311_request.media_url
    if not (case.published and case.state == CaseState.CLOSED):
        return None  # residents' photos leave the platform only once staff have published the case (公示)
    photos = list(case.attachments.all())  # the selector prefetches the public ones only
    return absolute(reverse("cases:photo", args=[photos[0].pk])) if photos else None


def request_record(case: Case, absolute) -> dict:
    """A case as the public sees it: no reporter, no phone, ID and phone numbers masked in the text."""
    service = service_of(case)
    closed = case.state in CLOSED_STATES
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case),
        "service_name": service.name if service else None,
        "service_code": service.code if service else "",
        "description": scrub(case.description)[:MAX_DESCRIPTION],
        "agency_responsible": case.lead_department.name if case.lead_department_id else None,
        "service_notice": None,
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.closed_at if closed and case.closed_at else case.updated_at),
        "expected_datetime": iso(case.deadline_at),
        "address": scrub(case.address) if case.address else building_address(case),
        "address_id": case.building.code if case.building_id else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": media_url(case, absolute),
    }


def update_status(event: CaseEvent, case: Case) -> str:
    if event.to_state == CaseState.CLOSED and case.outcome and case.state == CaseState.CLOSED:
        return UPDATE_STATUS_OF_OUTCOME.get(case.outcome, "CLOSED")
    return UPDATE_STATUS_OF_STATE.get(event.to_state, "OPEN")


def action_label(action: str) -> str:
    spec = TRANSITIONS.get(action)
    return spec.label if spec else {"report": "上报"}.get(action, action)


def update_record(event: CaseEvent) -> dict:
    """One public event of the case's log, as a mySociety request_update."""
    label = action_label(event.action)
    text = f"{label}：{scrub(event.note)}" if event.note else label
    return {
        "update_id": str(event.pk),
        "service_request_id": str(event.case_id),
        "status": update_status(event, event.case),
        "updated_datetime": iso(event.at),
        "description": text[:MAX_DESCRIPTION],
        "media_url": None,
    }
