import datetime as dt

import pytest

from gridgov.cases import deadlines, services
from gridgov.core.errors import DomainError
from tests.cases.conftest import MONDAY

TZ = MONDAY.tzinfo


def test_colour_from_the_columns():
    warn, due = MONDAY + dt.timedelta(hours=3), MONDAY + dt.timedelta(hours=4)
    assert [deadlines.colour(state="handling", warn_at=warn, due_at=due, now=MONDAY + dt.timedelta(hours=h))
            for h in (1, 3, 4)] == ["green", "yellow", "red"]
    assert deadlines.colour(state="suspended", warn_at=warn, due_at=due, now=MONDAY) is None
    assert deadlines.colour(state="closed", warn_at=None, due_at=None, now=MONDAY) is None


def test_admin_override_moves_a_deadline(report):
    services.calendar_override_set(date=dt.date(2025, 3, 4), is_working_day=False, note="镇庆")
    case = report(now=dt.datetime(2025, 3, 3, 17, 0, tzinfo=TZ))  # 2 working hours, Tuesday off
    assert case.due_at == dt.datetime(2025, 3, 5, 10, 30, tzinfo=TZ)


def test_an_unknown_year_is_said_not_guessed(report):
    with pytest.raises(DomainError, match="2031") as error:
        report(now=dt.datetime(2031, 3, 3, 10, tzinfo=TZ))
    assert error.value.code == "calendar_unknown"


def test_an_override_teaches_an_unknown_year(report):
    services.calendar_override_set(date=dt.date(2031, 3, 3), is_working_day=True)
    case = report(now=dt.datetime(2031, 3, 3, 10, tzinfo=TZ))
    assert case.due_at == dt.datetime(2031, 3, 3, 12, tzinfo=TZ)


def test_order_clock_for_a_plain_dispatch(db):
    clock = deadlines.order_clock(category=None, whistle="none", start=MONDAY)
    assert clock == {"sign_due_at": dt.datetime(2025, 3, 3, 11, tzinfo=TZ), "contact_due_at": None,
                     "arrive_due_at": None, "resolve_due_at": dt.datetime(2025, 3, 10, 10, tzinfo=TZ)}
