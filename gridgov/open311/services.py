"""Writes for Open311: API keys, service attributes, and requests and updates that enter the case engine.

Every case write goes through gridgov.cases.services (case_intake, case_transition).
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from gridgov.accounts.enums import Role
from gridgov.cases.enums import CaseState, Channel
from gridgov.cases.models import Case, Category
from gridgov.cases.services import Report, case_intake_many, case_transition
from gridgov.core.errors import DomainError
from gridgov.lib.groupcommit import GroupCommit
from gridgov.lib.keys import key_hash, new_key
from gridgov.open311.enums import LIST_DATATYPES, Datatype
from gridgov.open311.errors import Open311Error, bad_request, forbidden, not_found
from gridgov.open311.models import Client, RequestUpdate, ServiceAttribute, ServiceRequest
from gridgov.open311.params import RequestInput, parse_when
from gridgov.open311.selectors import services_listed_plain
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
        building = Building.objects.select_related("microgrid").filter(code=data.address_id).first()
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


@dataclass(frozen=True)
class Posted:
    """One POST requests as the view read it: the key, and the form (or why its shape is wrong)."""

    api_key: str
    data: RequestInput | None
    error: Open311Error | None = None


@dataclass
class _Filing:
    posted: Posted
    client: Client
    category: Category
    answers: dict
    report: Report
    request: ServiceRequest | None = None


def service_requests_create_many(*, posts, now=None) -> list:
    """POST requests for several posts at once, in one transaction: each becomes a case through
    case_intake_many (channel api), plus what Open311 brought beside it (ServiceRequest).

    Checked in the order the view used to check them one at a time: the key (403), the form's shape
    (400), the service (404), its attributes and the location (400), then the case engine's own checks.
    Each post is answered in its place: its ServiceRequest, or the Open311Error that refused it (and wrote
    nothing). With the extension parameter external_id, a repeated POST returns the first request.
    The keys, services and attributes of all the posts are read with one query each.
    """
    answers: list = [None] * len(posts)
    clients = _clients_for(posts)
    filings = {}
    services = _services_for([p.data.service_code for p in posts if p.data is not None])
    for index, posted in enumerate(posts):
        try:
            filings[index] = _filing(posted, clients, services)
        except Open311Error as exc:
            answers[index] = exc
    order = sorted(filings)
    if not order:
        return answers

    def then(results: list) -> None:
        _requests_write([filings[i] for i in order], results)

    results = case_intake_many(reports=[filings[i].report for i in order], now=now, then=then)
    for i, result in zip(order, results, strict=True):
        answers[i] = _intake_error(result) if isinstance(result, DomainError) else filings[i].request
    return answers


_requests_writer = GroupCommit("Open311 诉求", lambda posts: service_requests_create_many(posts=posts))


def service_request_post(*, posted: Posted) -> ServiceRequest:
    """POST requests from the web: written in one transaction with the other posts waiting at the same time
    (group commit) and returned once committed; raises the post's Open311Error."""
    return _requests_writer.submit(posted)


def _clients_for(posts) -> dict:
    hashes = {key_hash(p.api_key) for p in posts if p.api_key}
    found = Client.objects.select_related("user").filter(key_hash__in=hashes, is_active=True) if hashes else []
    by_hash = {c.key_hash: c for c in found}
    return {p.api_key: by_hash[key_hash(p.api_key)] for p in posts if p.api_key and key_hash(p.api_key) in by_hash}


def _services_for(codes: list[str]) -> dict:
    """service code → (category, its attributes), for the active leaf categories among `codes`."""
    if not codes:
        return {}
    categories = {c.pk: c for c in services_listed_plain().filter(code__in=set(codes))}
    attributes: dict = {pk: [] for pk in categories}
    for attribute in ServiceAttribute.objects.filter(category_id__in=categories).order_by("order", "id"):
        attributes[attribute.category_id].append(attribute)
    return {c.code: (c, attributes[pk]) for pk, c in categories.items()}


def _filing(posted: Posted, clients: dict, services: dict) -> _Filing:
    if not posted.api_key:
        raise forbidden("缺少 api_key")
    client = clients.get(posted.api_key)
    if client is None:
        raise forbidden("api_key 无效或已停用")
    if posted.error is not None:
        raise posted.error
    data = posted.data
    if data.service_code not in services:
        raise not_found(f"服务 {data.service_code} 不存在")
    category, attributes = services[data.service_code]
    answers = attributes_check(attributes, data.attributes)
    description = data.description or category.name
    extra = _answers_text(attributes, answers)
    if extra:
        description = f"{description}\n【补充信息】{extra}"
    report = Report(channel=Channel.API, by=client.user, description=description, address=data.address_string[:200],
                    reporter_name=f"{data.last_name}{data.first_name}"[:50], reporter_phone=data.phone,
                    source=f"open311:{client.pk}", external_id=data.external_id, **_location(data))
    return _Filing(posted=posted, client=client, category=category, answers=answers, report=report)


def _requests_write(filings: list[_Filing], results: list) -> None:
    """Inside the cases' transaction: a ServiceRequest beside each new case (a retried POST keeps its first),
    and each client's last use."""
    retried = [r.case for r in results if not isinstance(r, DomainError) and not r.created]
    kept = {r.case_id: r for r in ServiceRequest.objects.filter(case__in=retried)} if retried else {}
    new = []
    for filing, result in zip(filings, results, strict=True):
        if isinstance(result, DomainError):
            continue
        request = kept.get(result.case.pk)
        if request is None:
            data = filing.posted.data
            request = ServiceRequest(
                case=result.case, client=filing.client, category=filing.category, token=ServiceRequest.new_token(),
                attributes=filing.answers, media_url=data.media_url, device_id=data.device_id,
                account_id=data.account_id, email=data.email)
            kept[result.case.pk] = request
            new.append(request)
        filing.request = request
    ServiceRequest.objects.bulk_create(new)
    for client in {f.client.pk: f.client for f in filings}.values():
        client_touch(client=client)


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
