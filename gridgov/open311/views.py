"""GeoReport v2 under /open311/v2/: discovery, services, requests, tokens and mySociety's updates.

Every response is XML or JSON by the URL's suffix; every error is an <errors> body with a Chinese description:
404 unknown service, request, token or jurisdiction; 403 missing or bad api_key; 400 everything else.
"""

import datetime as dt
import functools

from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from gridgov.cases.models import CaseEvent
from gridgov.open311 import params, records, selectors, services
from gridgov.open311.enums import UPDATE_STATUS_OF_OUTCOME, UPDATE_STATUS_OF_STATE
from gridgov.open311.errors import Open311Error, bad_request, forbidden, not_found
from gridgov.open311.render import CONTENT_TYPES, error_response, iso, respond
from gridgov.territory.enums import AreaKind
from gridgov.territory.models import Area

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)
MAX_SPAN = dt.timedelta(days=90)
UPDATE_STATUSES = frozenset(UPDATE_STATUS_OF_STATE.values()) | frozenset(UPDATE_STATUS_OF_OUTCOME.values())
QUIET_ACTIONS = ("remind", "escalate")


def _check_jurisdiction(data) -> None:
    code = params.text(data, "jurisdiction_id")
    if code and not Area.objects.filter(code=code, kind__in=[AreaKind.STREET, AreaKind.DISTRICT]).exists():
        raise not_found(f"辖区 {code} 不存在")


def open311(*methods):
    """Check the format and method, read jurisdiction_id, and answer any Open311Error in the asked format."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def run(request, fmt, **kwargs):
            if fmt not in CONTENT_TYPES:
                return error_response("json", 400, f"不支持的格式 {fmt}，请使用 .xml 或 .json")
            if request.method not in methods:
                return error_response(fmt, 400, f"此地址不支持 {request.method} 请求")
            try:
                _check_jurisdiction(request.GET if request.method == "GET" else request.POST)
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc.status, exc.description)

        return run

    return wrap


def _client(request):
    key = params.text(request.POST, "api_key")
    if not key:
        raise forbidden("缺少 api_key")
    client = selectors.client_for_key(key)
    if client is None:
        raise forbidden("api_key 无效或已停用")
    return client


@open311("GET")
def discovery(request, fmt):
    body = {
        "changeset": iso(CHANGESET),
        "contact": "请联系街道指挥中心",
        "key_service": "接入机构的 api_key 由系统管理员签发（gridgov open311 key create 机构名称）",
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": request.build_absolute_uri("/open311/v2/").rstrip("/"),
            "changeset": iso(CHANGESET),
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return respond(fmt, body, root="discovery", item_tag=None)


@open311("GET")
def service_list(request, fmt):
    body = [records.service_record(c) for c in selectors.services_listed()]
    return respond(fmt, body, root="services", item_tag="service")


@open311("GET")
def service_definition(request, fmt, code):
    category = selectors.service_get(code)
    body = records.definition_record(category, selectors.service_attributes(category))
    return respond(fmt, body, root="service_definition", item_tag=None)


def _window(data) -> tuple[dt.datetime, dt.datetime]:
    """start_date/end_date: 90 days by default and at most."""
    start, end = params.when(data, "start_date"), params.when(data, "end_date")
    if start is None and end is None:
        end = timezone.now()
    if start is None:
        start = end - MAX_SPAN
    if end is None:
        end = start + MAX_SPAN
    if end < start:
        raise bad_request("end_date 早于 start_date")
    if end - start > MAX_SPAN:
        raise bad_request("start_date 至 end_date 最长90天")
    return start, end


def _ids(data) -> list[int]:
    ids = params.comma_list(data, "service_request_id")
    wrong = [i for i in ids if not i.isdigit()]
    if wrong:
        raise bad_request(f"service_request_id 应为数字编号，收到“{wrong[0]}”")
    if len(ids) > selectors.MAX_RESULTS:
        raise bad_request(f"service_request_id 最多{selectors.MAX_RESULTS}个")
    return [int(i) for i in ids]


def _filtered(data):
    codes = params.comma_list(data, "service_code")
    known = set(selectors.services_listed().filter(code__in=codes).values_list("code", flat=True))
    for code in codes:
        if code not in known:
            raise not_found(f"服务 {code} 不存在")
    statuses = set(params.comma_list(data, "status"))
    if statuses - {"open", "closed"}:
        raise bad_request(f"status 只能是 open 或 closed，收到“{','.join(sorted(statuses))}”")
    start, end = _window(data)
    cases = selectors.requests_public().filter(created_at__gte=start, created_at__lte=end)
    cases = selectors.with_service_codes(cases, codes) if codes else cases
    return selectors.with_status(cases, statuses)


def _request_list(request, fmt):
    ids = _ids(request.GET)
    cases = selectors.requests_public().filter(pk__in=ids) if ids else _filtered(request.GET)
    cases = cases.order_by("-created_at", "-id")[:selectors.MAX_RESULTS]
    body = [records.request_record(c, request.build_absolute_uri) for c in cases]
    return respond(fmt, body, root="service_requests", item_tag="request")


def _request_create(request, fmt):
    key = params.text(request.POST, "api_key")
    try:
        posted = services.Posted(api_key=key, data=params.request_input(request.POST))
    except Open311Error as exc:  # answered after the key is checked, as before
        posted = services.Posted(api_key=key, data=None, error=exc)
    created = services.service_request_post(posted=posted)
    body = [{
        "service_request_id": str(created.case_id),
        "token": created.token,
        "service_notice": f"诉求已收到，编号 {created.case_id}，可查询 requests/{created.case_id}.{fmt} 了解办理进度",
        "account_id": created.account_id or None,
    }]
    return respond(fmt, body, root="service_requests", item_tag="request")


@open311("GET", "POST")
def requests(request, fmt):
    return _request_create(request, fmt) if request.method == "POST" else _request_list(request, fmt)


@open311("GET")
def request_detail(request, fmt, request_id):
    case = selectors.request_public_get(request_id)
    return respond(fmt, [records.request_record(case, request.build_absolute_uri)],
                   root="service_requests", item_tag="request")


@open311("GET")
def token(request, fmt, token):
    found = selectors.request_for_token(token)
    return respond(fmt, [{"service_request_id": str(found.case_id), "token": found.token}],
                   root="service_requests", item_tag="request")


def _update_list(request, fmt):
    start, end = _window(request.GET)
    events = (CaseEvent.objects.filter(internal=False, at__gte=start, at__lte=end,
                                       case_id__in=selectors.requests_public().values("pk"))
              .exclude(action__in=QUIET_ACTIONS).select_related("case").order_by("at", "id"))
    body = [records.update_record(e) for e in events[:selectors.MAX_RESULTS]]
    return respond(fmt, body, root="service_request_updates", item_tag="request_update")


def _update_post(request, fmt):
    client = _client(request)
    data = request.POST
    values = {name: params.text(data, name) for name in ("service_request_id", "update_id")}
    for name, value in values.items():
        if not value:
            raise bad_request(f"缺少参数 {name}")
    status = params.text(data, "status").upper()
    if status and status not in UPDATE_STATUSES:
        raise bad_request(f"未知状态 {status}")
    description = params.description(data)
    if not description:
        raise bad_request("缺少参数 description")
    update = services.request_update_post(
        client=client, request_id=values["service_request_id"], update_id=values["update_id"][:100],
        status=status, description=description, media_url=params.url(data, "media_url"),
        updated_at=params.when(data, "updated_datetime"))
    return respond(fmt, [{"update_id": str(update.pk)}], root="service_request_updates", item_tag="request_update")


@open311("GET", "POST")
def request_updates(request, fmt):
    return _update_post(request, fmt) if request.method == "POST" else _update_list(request, fmt)


