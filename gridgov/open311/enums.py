"""Open311's vocabulary, and how a case's state reads in it."""

from django.db import models

from gridgov.cases.enums import CaseState, Outcome


class Datatype(models.TextChoices):
    STRING = "string", "短文本"
    NUMBER = "number", "数字"
    DATETIME = "datetime", "日期时间"
    TEXT = "text", "长文本"
    SINGLE = "singlevaluelist", "单选"
    MULTI = "multivaluelist", "多选"


LIST_DATATYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})

# GeoReport v2 knows two statuses; the richer state goes to status_notes.
CLOSED_STATES = frozenset({CaseState.CLOSED, CaseState.REJECTED, CaseState.MERGED})

# The mySociety servicerequestupdates extension's statuses, from a case's state (and outcome when closed).
UPDATE_STATUS_OF_STATE = {
    CaseState.REPORTED: "OPEN",
    CaseState.ACCEPTED: "OPEN",
    CaseState.REOPENED: "OPEN",
    CaseState.REGISTERED: "ACTION_SCHEDULED",
    CaseState.WHISTLE_PENDING: "ACTION_SCHEDULED",
    CaseState.CLAIMING: "ACTION_SCHEDULED",
    CaseState.DISPATCHED: "ACTION_SCHEDULED",
    CaseState.HANDLING: "IN_PROGRESS",
    CaseState.SUSPENDED: "INVESTIGATING",
    CaseState.RESOLVED: "FIXED",
    CaseState.VERIFIED: "FIXED",
    CaseState.REJECTED: "NOT_COUNCILS_RESPONSIBILITY",
    CaseState.MERGED: "DUPLICATE",
    CaseState.CLOSED: "CLOSED",
}
UPDATE_STATUS_OF_OUTCOME = {
    Outcome.FIXED: "FIXED",
    Outcome.NOT_OURS: "NOT_COUNCILS_RESPONSIBILITY",
    Outcome.DUPLICATE: "DUPLICATE",
    Outcome.CANNOT: "NO_FURTHER_ACTION",
    Outcome.WITHDRAWN: "CLOSED",
}
