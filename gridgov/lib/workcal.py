"""Working time: statutory holidays and 调休 make-up days (chinese_calendar), office hours, overrides.

A `Calendar` answers in Asia/Shanghai local time. Overrides (date → working or not) come first,
for a local holiday or for a year the library does not know; for an unknown year with no override
the calendar raises `CalendarUnknown` instead of guessing.

`add_working_days(start, n)` is `n` full office days of working time after `start`: from a
Friday 16:00, one working day ends on Monday 16:00.
"""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")
DEFAULT_OFFICE_HOURS = "09:00-12:00,13:30-17:30"
_MAX_DAYS_SEARCHED = 3660


class CalendarUnknown(ValueError):
    """The calendar does not know whether a date is a working day."""


def parse_office_hours(text: str) -> tuple[tuple[dt.time, dt.time], ...]:
    """"09:00-12:00,13:30-17:30" → ((09:00, 12:00), (13:30, 17:30)); ordered, non-overlapping."""
    periods = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        try:
            begin, end = (dt.time.fromisoformat(x.strip()) for x in part.split("-"))
        except ValueError:
            raise ValueError(f"办公时间格式错误：{part!r}（应为 09:00-12:00,13:30-17:30）") from None
        if begin >= end or (periods and begin < periods[-1][1]):
            raise ValueError(f"办公时间段无效或重叠：{part!r}")
        periods.append((begin, end))
    if not periods:
        raise ValueError("办公时间不能为空")
    return tuple(periods)


@dataclass(frozen=True)
class Calendar:
    periods: tuple[tuple[dt.time, dt.time], ...] = field(default_factory=lambda: parse_office_hours(DEFAULT_OFFICE_HOURS))
    overrides: dict = field(default_factory=dict)  # date → bool (True: working day)

    @property
    def day_length(self) -> dt.timedelta:
        return sum((_span(dt.date(2000, 1, 1), b, e) for b, e in self.periods), dt.timedelta())

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise CalendarUnknown(
                f"工作日历不知道 {day.year} 年的节假日安排：请更新 chinesecalendar 或在后台添加日历调整"
            ) from None

    def _windows(self, day: dt.date):
        """The office windows of `day` as aware datetimes (none on a non-working day)."""
        if not self.is_working_day(day):
            return []
        return [(dt.datetime.combine(day, b, TZ), dt.datetime.combine(day, e, TZ)) for b, e in self.periods]

    def add_working_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add_working_time(start, dt.timedelta(hours=hours))

    def add_working_days(self, start: dt.datetime, days: float) -> dt.datetime:
        return self.add_working_time(start, self.day_length * days)

    def add_working_time(self, start: dt.datetime, amount: dt.timedelta) -> dt.datetime:
        if amount < dt.timedelta():
            raise ValueError("工作时长不能为负")
        local = _local(start)
        left = amount
        day = local.date()
        for _ in range(_MAX_DAYS_SEARCHED):
            for begin, end in self._windows(day):
                begin = max(begin, local)
                if begin >= end:
                    continue
                if begin + left <= end:
                    return begin + left
                left -= end - begin
            day += dt.timedelta(days=1)
        raise CalendarUnknown("十年内找不到足够的工作时间：请检查日历调整")

    def working_time_between(self, a: dt.datetime, b: dt.datetime) -> dt.timedelta:
        """Office time from a to b (negative when b is before a)."""
        if b < a:
            return -self.working_time_between(b, a)
        a, b = _local(a), _local(b)
        total = dt.timedelta()
        day = a.date()
        while day <= b.date():
            for begin, end in self._windows(day):
                lo, hi = max(begin, a), min(end, b)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total


def _span(day: dt.date, begin: dt.time, end: dt.time) -> dt.timedelta:
    return dt.datetime.combine(day, end) - dt.datetime.combine(day, begin)


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("需要带时区的时间")
    return moment.astimezone(TZ)


def default_calendar() -> Calendar:
    """The calendar with office hours from settings (GRIDGOV_OFFICE_HOURS) and no overrides."""
    from django.conf import settings

    return Calendar(periods=parse_office_hours(getattr(settings, "GRIDGOV_OFFICE_HOURS", DEFAULT_OFFICE_HOURS)))


def add_working_hours(start: dt.datetime, hours: float, calendar: Calendar | None = None) -> dt.datetime:
    return (calendar or default_calendar()).add_working_hours(start, hours)


def add_working_days(start: dt.datetime, days: float, calendar: Calendar | None = None) -> dt.datetime:
    return (calendar or default_calendar()).add_working_days(start, days)


def working_time_between(a: dt.datetime, b: dt.datetime, calendar: Calendar | None = None) -> dt.timedelta:
    return (calendar or default_calendar()).working_time_between(a, b)
