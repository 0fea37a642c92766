"""Who may do what to a case: predicates of (user, case), named in the transition table."""

from gridgov.cases.enums import APPROVERS, CASE_STAFF, CLAIMERS, DISPATCHERS, OPEN_ORDER_STATES, SUPERVISORS
from gridgov.cases.models import Case, DepartmentMember, WorkOrder


def _in_scope(user, case: Case) -> bool:
    code = getattr(user, "scope_code", None)
    return bool(code) and case.area_code.startswith(code)


def _role_in_scope(roles):
    def predicate(user, case: Case, order: WorkOrder | None) -> bool:
        return user is not None and user.is_authenticated and user.role in roles and _in_scope(user, case)

    return predicate


def department_of(user) -> int | None:
    if user is None or not user.is_authenticated:
        return None
    return DepartmentMember.objects.filter(user=user).values_list("department_id", flat=True).first()


def holds(user, order: WorkOrder | None) -> bool:
    """The user may act on this open work order: its assignee, or a member of its department."""
    if order is None or user is None or not user.is_authenticated or order.state not in OPEN_ORDER_STATES:
        return False
    if order.assignee_id is not None:
        return order.assignee_id == user.pk
    return order.department_id is not None and order.department_id == department_of(user)


def _order_holder(user, case, order) -> bool:
    return holds(user, order) and order.case_id == case.pk


def _lead_holder(user, case, order) -> bool:
    return _order_holder(user, case, order) and order.role == "lead"


def _verifier(user, case, order) -> bool:
    return _role_in_scope(CASE_STAFF)(user, case, order) and user.pk != case.handler_id


def _reporter(user, case, order) -> bool:
    return user is not None and user.is_authenticated and case.reported_by_id == user.pk


def _system(user, case, order) -> bool:
    return user is None


PREDICATES = {
    "staff": _role_in_scope(CASE_STAFF),
    "dispatcher": _role_in_scope(DISPATCHERS),
    "approver": _role_in_scope(APPROVERS),
    "supervisor": _role_in_scope(SUPERVISORS),
    "claimer": _role_in_scope(CLAIMERS),
    "order_holder": _order_holder,
    "lead_holder": _lead_holder,
    "verifier": _verifier,
    "reporter": _reporter,
    "system": _system,
}


def allowed(who: tuple[str, ...], user, case: Case, order: WorkOrder | None) -> bool:
    return any(PREDICATES[name](user, case, order) for name in who)
