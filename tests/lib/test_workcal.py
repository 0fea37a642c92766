import datetime as dt

import pytest

from gridgov.lib.workcal import TZ, Calendar, CalendarUnknown, parse_office_hours


def at(y, m, d, hh=0, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


cal = Calendar()


def test_make_up_working_days_of_spring_festival_2025():
    assert cal.is_working_day(dt.date(2025, 1, 26)) is True   # Sunday, 调休
    assert cal.is_working_day(dt.date(2025, 2, 8)) is True    # Saturday, 调休
    assert [cal.is_working_day(dt.date(2025, 1, 28) + dt.timedelta(days=i)) for i in range(8)] == [False] * 8


def test_national_day_2026_is_off():
    assert [cal.is_working_day(dt.date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert cal.is_working_day(dt.date(2026, 10, 9)) is True


def test_hours_skip_lunch_and_the_night():
    assert cal.add_working_hours(at(2025, 3, 3, 11), 2) == at(2025, 3, 3, 14, 30)
    assert cal.add_working_hours(at(2025, 3, 3, 17), 1) == at(2025, 3, 4, 9, 30)
    assert cal.add_working_hours(at(2025, 3, 3, 20), 1) == at(2025, 3, 4, 10)


def test_hours_ending_exactly_at_close_stay_on_that_day():
    assert cal.add_working_hours(at(2025, 3, 3, 16, 30), 1) == at(2025, 3, 3, 17, 30)


def test_spring_festival_2025_uses_the_sunday_make_up_day():
    # Friday 2025-01-24 16:30 + 2 h: 1 h on Friday, Saturday 25 off, Sunday 26 is a working day.
    assert cal.add_working_hours(at(2025, 1, 24, 16, 30), 2) == at(2025, 1, 26, 10)
    # Monday 27 17:00 + 1 h: 28 Jan to 4 Feb off, back on Wednesday 5 Feb.
    assert cal.add_working_hours(at(2025, 1, 27, 17), 1) == at(2025, 2, 5, 9, 30)


def test_working_days_are_full_office_days():
    assert cal.day_length == dt.timedelta(hours=7)
    assert cal.add_working_days(at(2025, 3, 7, 16), 1) == at(2025, 3, 10, 16)   # Friday → Monday
    assert cal.add_working_days(at(2026, 9, 30, 10), 3) == at(2026, 10, 10, 10)  # Saturday 10-10 is 调休


def test_working_time_between_spans_holidays():
    assert cal.working_time_between(at(2025, 1, 27, 9), at(2025, 2, 5, 12)) == dt.timedelta(hours=10)
    assert cal.working_time_between(at(2025, 2, 5, 12), at(2025, 1, 27, 9)) == -dt.timedelta(hours=10)
    assert cal.working_time_between(at(2025, 3, 3, 12), at(2025, 3, 3, 13, 30)) == dt.timedelta()


def test_override_makes_a_local_holiday_and_knows_an_unknown_year():
    local = Calendar(overrides={dt.date(2025, 3, 4): False, dt.date(2031, 1, 2): True})
    assert local.add_working_hours(at(2025, 3, 3, 17), 1) == at(2025, 3, 5, 9, 30)
    assert local.is_working_day(dt.date(2031, 1, 2)) is True


def test_unknown_year_raises_instead_of_guessing():
    with pytest.raises(CalendarUnknown, match="2031"):
        cal.is_working_day(dt.date(2031, 1, 3))


def test_office_hours_are_validated():
    assert parse_office_hours("08:30-12:00, 14:00-18:00")[1] == (dt.time(14), dt.time(18))
    with pytest.raises(ValueError, match="重叠"):
        parse_office_hours("09:00-12:00,11:00-13:00")
    with pytest.raises(ValueError, match="格式错误"):
        parse_office_hours("nine to five")
