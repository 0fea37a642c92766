"""Public reads for Open311: the service catalogue and the cases anyone may follow (no personal data).

Open311's GET methods need no key; the public sees every case except care cases raised by sensors.
"""

from django.db.models import Prefetch, Q

from gridgov.cases.enums import Channel
from gridgov.cases.models import Attachment, Case, Category
from gridgov.lib.keys import key_hash
from gridgov.open311.enums import CLOSED_STATES
from gridgov.open311.errors import not_found
from gridgov.open311.models import Client, ServiceAttribute, ServiceRequest

MAX_RESULTS = 1000


def services_listed_plain():
    """The active leaf categories, each an Open311 service."""
    return Category.objects.filter(is_active=True, parent__isnull=False)


def services_listed():
    """One service per active leaf category, with its first level and whether it asks extra questions."""
    return services_listed_plain().select_related("parent").prefetch_related("open311_attributes").order_by("code")


def service_get(code: str) -> Category:
    category = services_listed_plain().filter(code=code).first()
    if category is None:
        raise not_found(f"服务 {code} 不存在")
    return category


def service_attributes(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "id"))


def client_for_key(key: str) -> Client | None:
    if not key:
        return None
    return Client.objects.select_related("user").filter(key_hash=key_hash(key), is_active=True).first()


def _public_attachments():
    return Prefetch("attachments", queryset=Attachment.objects.filter(Q(event__isnull=True) | Q(event__internal=False)))


def requests_public():
    has_service = Q(category__isnull=False) | Q(open311_request__isnull=False) | Q(suggested_category__isnull=False)
    return (Case.objects.exclude(channel=Channel.SENSOR).filter(has_service)
            .select_related("category", "suggested_category", "lead_department", "building__estate",
                            "open311_request__category")
            .prefetch_related(_public_attachments()))


def with_service_codes(cases, codes: list[str]):
    chosen = Q(category__code__in=codes)
    chosen |= Q(category__isnull=True, open311_request__category__code__in=codes)
    chosen |= Q(category__isnull=True, open311_request__isnull=True, suggested_category__code__in=codes)
    return cases.filter(chosen)


def with_status(cases, statuses: set[str]):
    if statuses == {"open"}:
        return cases.exclude(state__in=CLOSED_STATES)
    if statuses == {"closed"}:
        return cases.filter(state__in=CLOSED_STATES)
    return cases


def request_public_get(request_id: str) -> Case:
    case = requests_public().filter(pk=int(request_id)).first() if request_id.isdigit() else None
    if case is None:
        raise not_found(f"诉求 {request_id} 不存在")
    return case


def request_for_token(token: str) -> ServiceRequest:
    found = ServiceRequest.objects.filter(token=token).first() if token else None
    if found is None:
        raise not_found(f"令牌 {token} 不存在")
    return found
