"""The case's vocabulary and its one table of allowed transitions."""

from dataclasses import dataclass

from django.db import models


class CaseState(models.TextChoices):
    REPORTED = "reported", "待受理"
    ACCEPTED = "accepted", "已受理"
    REJECTED = "rejected", "不予受理"
    MERGED = "merged", "已合并"
    REGISTERED = "registered", "已立案"
    WHISTLE_PENDING = "whistle_pending", "吹哨待审批"
    CLAIMING = "claiming", "待认领"
    DISPATCHED = "dispatched", "已派单"
    HANDLING = "handling", "处置中"
    RESOLVED = "resolved", "已办结"
    VERIFIED = "verified", "已核查"
    CLOSED = "closed", "已结案"
    REOPENED = "reopened", "待重办"
    SUSPENDED = "suspended", "已挂起"


FINAL_STATES = frozenset({CaseState.REJECTED, CaseState.MERGED, CaseState.CLOSED})
OPEN_STATES = frozenset(set(CaseState) - FINAL_STATES)
# States whose clock runs: everything open except suspended.
CLOCK_STATES = frozenset(OPEN_STATES - {CaseState.SUSPENDED})


class Channel(models.TextChoices):
    APP = "app", "随手拍"
    PATROL = "patrol", "网格员上报"
    HOTLINE = "hotline", "12345热线"
    WALK_IN = "walk_in", "来访代报"
    API = "api", "接口"
    SENSOR = "sensor", "感知设备"


class AffairKind(models.TextChoices):
    PUBLIC = "public", "公事"
    HOUSEHOLD = "household", "家事"
    SHARED = "shared", "共事"


class Whistle(models.TextChoices):
    NONE = "none", "不吹哨"
    QUICK = "quick", "快捷哨"
    URGENT = "urgent", "应急哨"
    COMPLEX = "complex", "攻坚哨"


class Level(models.TextChoices):
    GRID = "grid", "网格"
    COMMUNITY = "community", "社区"
    STREET = "street", "街道"
    DISTRICT = "district", "区"


LEVEL_ORDER = [Level.GRID, Level.COMMUNITY, Level.STREET, Level.DISTRICT]
LEVEL_CODE_LENGTH = {Level.GRID: 15, Level.COMMUNITY: 12, Level.STREET: 9, Level.DISTRICT: 6}


class Outcome(models.TextChoices):
    FIXED = "fixed", "已解决"
    NOT_OURS = "not_ours", "非本单位职责"
    DUPLICATE = "duplicate", "重复诉求"
    CANNOT = "cannot", "暂无法解决"
    WITHDRAWN = "withdrawn", "撤回"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    UNSATISFIED = "unsatisfied", "不满意"


class DepartmentKind(models.TextChoices):
    GOVERNMENT = "government", "职能部门"
    ORGANISATION = "organisation", "单位"
    PARTNER = "partner", "共建单位"


class OrderRole(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"


class OrderState(models.TextChoices):
    OPEN = "open", "待签收"
    SIGNED = "signed", "已签收"
    DONE = "done", "已办结"
    RETURNED = "returned", "已退单"
    CANCELLED = "cancelled", "已撤销"


OPEN_ORDER_STATES = frozenset({OrderState.OPEN, OrderState.SIGNED})


class ExtensionState(models.TextChoices):
    NONE = "", "无"
    REQUESTED = "requested", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class Colour(models.TextChoices):
    GREEN = "green", "绿"
    YELLOW = "yellow", "黄"
    RED = "red", "红"


# The state a transition returns to when it resumes a suspended case.
RESUME = "<resume>"


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str | None  # None: the state does not change; RESUME: back to the state before suspending
    who: tuple[str, ...]  # predicates (gridgov.cases.rules), any of which allows the actor
    label: str


def _t(sources, target, who, label):
    return Transition(frozenset(sources), target, tuple(who), label)


S = CaseState
_WORKING = {S.DISPATCHED, S.HANDLING}
_SUSPENDABLE = {S.ACCEPTED, S.REGISTERED, S.CLAIMING, S.DISPATCHED, S.HANDLING, S.REOPENED}

TRANSITIONS: dict[str, Transition] = {
    "accept": _t({S.REPORTED}, S.ACCEPTED, ["staff", "system"], "受理"),
    "reject": _t({S.REPORTED}, S.REJECTED, ["staff"], "不予受理"),
    "merge": _t({S.REPORTED, S.ACCEPTED, S.REGISTERED}, S.MERGED, ["staff"], "合并"),
    "register": _t({S.ACCEPTED}, S.REGISTERED, ["staff", "system"], "立案"),
    "dispatch": _t({S.REGISTERED, S.REOPENED}, S.DISPATCHED, ["dispatcher", "system"], "派单"),
    "open_claim": _t({S.REGISTERED, S.REOPENED}, S.CLAIMING, ["dispatcher"], "发布认领"),
    "claim": _t({S.CLAIMING}, S.HANDLING, ["claimer"], "接单"),
    "whistle": _t({S.REGISTERED, S.REOPENED}, S.DISPATCHED, ["dispatcher"], "吹哨"),
    "request_whistle": _t({S.REGISTERED, S.REOPENED}, S.WHISTLE_PENDING, ["staff"], "申请攻坚哨"),
    "approve_whistle": _t({S.WHISTLE_PENDING}, S.DISPATCHED, ["approver"], "批准吹哨"),
    "refuse_whistle": _t({S.WHISTLE_PENDING}, S.REGISTERED, ["approver"], "驳回吹哨"),
    "sign": _t(_WORKING, S.HANDLING, ["order_holder"], "签收"),
    "return_order": _t(_WORKING, S.REGISTERED, ["order_holder"], "退单"),
    "contact": _t(_WORKING, None, ["order_holder"], "联系"),
    "check_in": _t(_WORKING, S.HANDLING, ["order_holder"], "报到"),
    "handle": _t({S.HANDLING}, None, ["order_holder"], "处置"),
    "resolve": _t({S.HANDLING}, S.RESOLVED, ["lead_holder"], "办结"),
    "request_extension": _t(_WORKING, None, ["order_holder"], "申请延期"),
    "approve_extension": _t(_WORKING | {S.SUSPENDED}, None, ["dispatcher"], "批准延期"),
    "refuse_extension": _t(_WORKING | {S.SUSPENDED}, None, ["dispatcher"], "驳回延期"),
    "verify": _t({S.RESOLVED}, S.VERIFIED, ["verifier"], "核查通过"),
    "send_back": _t({S.RESOLVED}, S.HANDLING, ["verifier"], "核查退回"),
    "close": _t({S.VERIFIED}, S.CLOSED, ["staff"], "结案"),
    "close_reopened": _t({S.REOPENED}, S.CLOSED, ["supervisor"], "督办结案"),
    "withdraw": _t(OPEN_STATES - {S.RESOLVED, S.VERIFIED}, S.CLOSED, ["reporter", "staff"], "撤回"),
    "rate": _t({S.CLOSED}, None, ["reporter", "staff"], "回访评价"),
    "reopen": _t({S.CLOSED}, S.REOPENED, ["reporter", "staff"], "重办"),
    "suspend": _t(_SUSPENDABLE, S.SUSPENDED, ["staff"], "挂起"),
    "resume": _t({S.SUSPENDED}, RESUME, ["staff"], "恢复"),
    "publish": _t({S.CLOSED}, None, ["staff"], "公示"),
    "note": _t(OPEN_STATES | FINAL_STATES, None, ["staff", "order_holder"], "备注"),
    "remind": _t(CLOCK_STATES, None, ["system"], "催办"),
    "escalate": _t(CLOCK_STATES, None, ["system", "supervisor"], "提级"),
}

# Which case stage's clock starts in each state (see gridgov.cases.deadlines).
STAGE_OF_STATE = {
    S.REPORTED: "accept",
    S.ACCEPTED: "register",
    S.REGISTERED: "dispatch",
    S.REOPENED: "dispatch",
    S.WHISTLE_PENDING: "approve",
    S.CLAIMING: "claim",
    S.DISPATCHED: "resolve",
    S.HANDLING: "resolve",
    S.RESOLVED: "verify",
    S.VERIFIED: "close",
}


def _roles(*names):
    from gridgov.accounts.enums import Role

    return frozenset(Role(n) for n in names)


# Role sets behind the predicates; the area scope applies on top (gridgov.cases.rules).
CASE_STAFF = _roles("grid_worker", "grid_leader", "community_staff", "community_secretary", "command_centre")
DISPATCHERS = _roles("grid_leader", "community_staff", "community_secretary", "command_centre")
APPROVERS = _roles("community_secretary", "command_centre")
SUPERVISORS = APPROVERS
CLAIMERS = _roles("party_member", "volunteer", "grid_worker", "building_steward")
REPORTERS_ON_PATROL = _roles("grid_worker", "grid_leader", "building_steward")
RATERS_OF_DEPARTMENTS = _roles("community_staff", "community_secretary", "command_centre")
