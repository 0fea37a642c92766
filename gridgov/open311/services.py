"""Writes for Open311: API keys, service attributes, and requests and updates that enter the case engine.

Every case write goes through gridgov.cases.services (case_intake, case_transition).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from gridgov.accounts.enums import Role
from gridgov.cases.enums import CaseState, Channel
from gridgov.cases.models import Case, Category
from gridgov.cases.services import case_intake, case_transition
from gridgov.core.errors import DomainError
from gridgov.lib.keys import key_hash, new_key
from gridgov.open311.enums import LIST_DATATYPES, Datatype
from gridgov.open311.errors import Open311Error, bad_request, not_found
from gridgov.open311.models import Client, RequestUpdate, ServiceAttribute, ServiceRequest
from gridgov.open311.params import RequestInput, parse_when
from gridgov.open311.selectors import service_attributes, service_get
from gridgov.territory.models import Building

# --- clients and keys -------------------------------------------------------------------------------


def _service_account(organisation: str):
    """The account an organisation's requests are reported as: no password, no area, API intake only."""
    User = get_user_model()
    base = "open311-" + (slugify(organisation, allow_unicode=False) or "org")
    username, n = base[:140], 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base[:130]}-{n}"
    user = User(username=username, role=Role.SYSTEM_ADMIN, display_name=f"Open311：{organisation}")
    user.set_unusable_password()
    user.save()
    return user


@transaction.atomic
def client_key_create(*, organisation: str, now=None) -> tuple[Client, str]:
    """Create an organisation's client, or renew its key (the old key stops working). The key is returned once."""
    organisation = (organisation or "").strip()
    if not organisation:
        raise DomainError("请填写机构名称")
    key, now = new_key("o311"), now or timezone.now()
    fields = {"key_prefix": key[:12], "key_hash": key_hash(key), "key_issued_at": now, "is_active": True}
    client = Client.objects.select_for_update().filter(organisation=organisation).first()
    if client is None:
        client = Client.objects.create(organisation=organisation, user=_service_account(organisation), **fields)
    else:
        Client.objects.filter(pk=client.pk).update(**fields)
        client.refresh_from_db()
    return client, key


TOUCH_EVERY = dt.timedelta(minutes=1)


def client_touch(*, client: Client, now=None) -> None:
    """Note the key's last use, at most once a minute (a write per request would queue every POST behind it)."""
    now = now or timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= TOUCH_EVERY:
        Client.objects.filter(pk=client.pk).update(last_used_at=now)


# --- service attributes -----------------------------------------------------------------------------

def service_attribute_set(*, category: Category, code: str, datatype: str, description: str, required: bool = False,
                          order: int = 1, values: list | None = None, datatype_description: str = "",
                          variable: bool = True) -> ServiceAttribute:
    if datatype not in Datatype.values:
        raise DomainError(f"未知属性类型：{datatype}")
    values = [{"key": str(v["key"]), "name": str(v["name"])} for v in (values or [])]
    if (datatype in LIST_DATATYPES) != bool(values):
        raise DomainError(f"属性 {code}：单选/多选须有选项，其他类型不能有选项")
    attribute, _ = ServiceAttribute.objects.update_or_create(category=category, code=code, defaults={
        "datatype": datatype, "description": description, "required": required, "order": order,
        "values": values, "datatype_description": datatype_description, "variable": variable})
    return attribute


def _answer(attribute: ServiceAttribute, given: list[str]):
    code = attribute.code
    if attribute.datatype == Datatype.MULTI:
        unknown = [v for v in given if v not in attribute.keys()]
        if unknown:
            raise bad_request(f"属性 {code} 的选项 {','.join(unknown)} 不存在")
        return given
    if len(given) > 1:
        raise bad_request(f"属性 {code} 只能有一个值")
    value = given[0]
    if attribute.datatype == Datatype.SINGLE and value not in attribute.keys():
        raise bad_request(f"属性 {code} 的选项 {value} 不存在")
    if attribute.datatype == Datatype.NUMBER:
        try:
            float(value)
        except ValueError:
            raise bad_request(f"属性 {code} 应为数字，收到“{value}”") from None
    if attribute.datatype == Datatype.DATETIME:
        parse_when(value, f"attribute[{code}]")
    return value


def attributes_check(attributes: list[ServiceAttribute], given: dict[str, list[str]]) -> dict:
    """The answers to the service's questions, checked; unknown attribute codes are ignored."""
    answers = {}
    for attribute in attributes:
        if attribute.code in given:
            answers[attribute.code] = _answer(attribute, given[attribute.code])
        elif attribute.required and attribute.variable:
            raise bad_request(f"缺少必填属性 attribute[{attribute.code}]（{attribute.description}）")
    return answers


def _answers_text(attributes: list[ServiceAttribute], answers: dict) -> str:
    lines = []
    for attribute in attributes:
        if attribute.code in answers:
            names = {str(v["key"]): str(v["name"]) for v in attribute.values}
            value = answers[attribute.code]
            shown = "、".join(names.get(v, v) for v in value) if isinstance(value, list) else names.get(value, value)
            lines.append(f"{attribute.description}：{shown}")
    return "；".join(lines)


# --- requests ---------------------------------------------------------------------------------------

def building_for_address(address: str) -> Building | None:
    """The building an address string names: its recorded address, or estate name plus building name."""
    for building in Building.objects.select_related("estate").order_by("code"):
        if building.address and building.address in address:
            return building
        if f"{building.estate.name}{building.name}" in address.replace(" ", ""):
            return building
    return None


def _location(data: RequestInput) -> dict:
    if data.address_id:
        building = Building.objects.filter(code=data.address_id).first()
        if building is None:
            raise bad_request(f"address_id {data.address_id} 不是已登记的楼栋编码")
        return {"building": building}
    if data.lat is not None:
        return {"lat": data.lat, "lng": data.lng}
    building = building_for_address(data.address_string)
    if building is None:
        raise bad_request(f"无法根据地址“{data.address_string}”定位，请提供 lat 和 long 或 address_id（楼栋编码）")
    return {"building": building}


def _intake_error(exc: DomainError) -> Open311Error:
    return Open311Error(exc.status if exc.status in (403, 404) else 400, exc.message)


def service_request_create(*, client: Client, data: RequestInput, now=None) -> ServiceRequest:
    """POST requests: one case through case_intake (channel api), plus what Open311 brought beside it.

    With the extension parameter external_id, a repeated POST returns the first request.
    """
    category = service_get(data.service_code)
    attributes = service_attributes(category)
    answers = attributes_check(attributes, data.attributes)
    description = data.description or category.name
    extra = _answers_text(attributes, answers)
    if extra:
        description = f"{description}\n【补充信息】{extra}"
    try:
        with transaction.atomic():
            result = case_intake(
                channel=Channel.API, by=client.user, description=description, address=data.address_string[:200],
                reporter_name=f"{data.last_name}{data.first_name}"[:50], reporter_phone=data.phone,
                source=f"open311:{client.pk}", external_id=data.external_id, now=now, **_location(data))
            existing = None if result.created else ServiceRequest.objects.filter(case=result.case).first()
            if existing is not None:
                return existing
            request = ServiceRequest.objects.create(
                case=result.case, client=client, category=category, token=ServiceRequest.new_token(),
                attributes=answers, media_url=data.media_url, device_id=data.device_id,
                account_id=data.account_id, email=data.email)
    except DomainError as exc:
        raise _intake_error(exc) from None
    client_touch(client=client, now=now)
    return request


# --- updates (mySociety servicerequestupdates) --------------------------------------------------------

def _apply_status(*, client: Client, case: Case, status: str, note: str, now) -> str:
    """A client may withdraw (CLOSED) or reopen (OPEN) a request it reported itself; otherwise nothing changes."""
    if case.reported_by_id != client.user_id:
        return ""
    if status == "CLOSED" and case.state not in (CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED,
                                                  CaseState.RESOLVED, CaseState.VERIFIED):
        case_transition(case=case, action="withdraw", by=client.user, note=note[:300], now=now)
        return "withdraw"
    if status == "OPEN" and case.state == CaseState.CLOSED:
        case_transition(case=case, action="reopen", by=client.user, note=note[:300], now=now)
        return "reopen"
    return ""


def request_update_post(*, client: Client, request_id: str, update_id: str, status: str, description: str,
                        media_url: str = "", updated_at: dt.datetime | None = None, now=None) -> RequestUpdate:
    """Record a client's update once per (client, update_id); a repeat returns the first record unchanged."""
    now = now or timezone.now()
    existing = RequestUpdate.objects.filter(client=client, update_id=update_id).first()
    if existing is not None:
        return existing
    case = Case.objects.filter(pk=int(request_id)).first() if request_id.isdigit() else None
    if case is None:
        raise not_found(f"诉求 {request_id} 不存在")
    status = status.upper()
    try:
        with transaction.atomic():
            applied = _apply_status(client=client, case=case, status=status, note=description, now=now)
            update = RequestUpdate.objects.create(
                client=client, update_id=update_id, case=case, status=status, description=description,
                media_url=media_url, updated_at=updated_at or now, applied=applied)
    except IntegrityError:
        return RequestUpdate.objects.get(client=client, update_id=update_id)
    except DomainError as exc:
        raise _intake_error(exc) from None
    client_touch(client=client, now=now)
    return update
