"""Scoped reads of cases. Nothing else queries cases for a user; out of scope reads as 404."""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from gridgov.accounts.enums import Role
from gridgov.cases.enums import CASE_STAFF, CLAIMERS, OPEN_ORDER_STATES, CaseState, OrderState
from gridgov.cases.models import Attachment, Case, CaseEvent, CaseReporter, WorkOrder
from gridgov.cases.rules import department_of

# Who sees every case of their area subtree.
AREA_READERS = CASE_STAFF | {Role.BUILDING_STEWARD, Role.AUDITOR}


def _scope_q(user) -> Q | None:
    if user.role in AREA_READERS and user.scope_code:
        return Q(area_code__subtree=user.scope_code)
    return None


def cases_visible_to(user):
    if user is None or not user.is_authenticated:
        return Case.objects.none()
    mine = Q(reported_by=user) | Q(pk__in=CaseReporter.objects.filter(user=user).values("case_id"))
    mine |= Q(pk__in=WorkOrder.objects.filter(assignee=user).values("case_id"))
    department = department_of(user)
    if department is not None:
        mine |= Q(pk__in=WorkOrder.objects.filter(department_id=department).values("case_id"))
    if user.role in CLAIMERS and user.scope_code:
        claimable = WorkOrder.objects.filter(claimable=True, state=OrderState.OPEN, assignee__isnull=True)
        mine |= Q(area_code__subtree=user.scope_code, pk__in=claimable.values("case_id"))
    scope = _scope_q(user)
    return Case.objects.filter(mine if scope is None else scope | mine)


def case_get_for(user, case_id: int) -> Case:
    return get_object_or_404(cases_visible_to(user).select_related("category", "grid", "lead_department"), pk=case_id)


def sees_internal(user, case: Case) -> bool:
    """Staff of the area and the case's handlers see internal notes; reporters see the public track."""
    if _scope_q(user) is not None and case.area_code.startswith(user.scope_code):
        return True
    department = department_of(user)
    orders = WorkOrder.objects.filter(case=case)
    return orders.filter(Q(assignee=user) | Q(department_id=department) if department else Q(assignee=user)).exists()


def case_events_for(user, case: Case):
    events = CaseEvent.objects.filter(case=case).select_related("by").prefetch_related("attachments")
    return events if sees_internal(user, case) else events.filter(internal=False)


def attachment_get_for(user, attachment_id: int, *, tracked_case_id: int | None = None) -> Attachment:
    """A photo for whoever may see it, else 404.

    Who may: a user who sees the case (staff in scope, its reporters and handlers), except that a photo
    sent with an internal note is for those who see internal notes only; anyone, for a published closed
    case (the public board); and the holder of the case's tracking link (`tracked_case_id`, resolved from
    the link by the caller) for its non-internal photos.
    """
    attachment = get_object_or_404(Attachment.objects.select_related("case", "event"), pk=attachment_id)
    case = attachment.case
    internal = attachment.event is not None and attachment.event.internal
    if cases_visible_to(user).filter(pk=case.pk).exists():
        if internal and not sees_internal(user, case):
            raise Http404
        return attachment
    public = case.published and case.state == CaseState.CLOSED
    if not internal and (public or tracked_case_id == case.pk):
        return attachment
    raise Http404


def work_orders_mine(user):
    if user is None or not user.is_authenticated:
        return WorkOrder.objects.none()
    department = department_of(user)
    mine = Q(assignee=user)
    if department is not None:
        mine |= Q(department_id=department, assignee__isnull=True)
    return WorkOrder.objects.filter(mine, state__in=OPEN_ORDER_STATES).select_related("case", "department")


def work_orders_claimable_for(user, *, lat: float | None = None, lng: float | None = None, radius_m: float = 2000):
    """Open claimable work orders in the user's area, nearest first when a position is given."""
    if user is None or not user.is_authenticated or user.role not in CLAIMERS or not user.scope_code:
        return []
    from gridgov.cases.services import distance_m

    orders = list(WorkOrder.objects.filter(claimable=True, state=OrderState.OPEN, assignee__isnull=True,
                                           case__area_code__subtree=user.scope_code).select_related("case"))
    if lat is None or lng is None:
        return orders
    near = [(distance_m(lat, lng, o.case.lat, o.case.lng), o.pk, o) for o in orders if o.case.lat is not None]
    return [o for d, _, o in sorted(near, key=lambda t: t[:2]) if d <= radius_m]


def work_order_get_for(user, order_id: int) -> WorkOrder:
    return get_object_or_404(WorkOrder.objects.filter(case__in=cases_visible_to(user)).select_related("case"),
                             pk=order_id)


def case_open_for_joining(case_id: int) -> Case:
    """An open case anyone signed in may join with "me too" (its id was offered as a likely duplicate)."""
    from gridgov.cases.enums import OPEN_STATES

    return get_object_or_404(Case.objects.filter(state__in=OPEN_STATES), pk=case_id)
