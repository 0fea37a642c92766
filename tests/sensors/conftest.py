"""Sensors fixtures: 张秀英 (grid A, living alone) has a door sensor and a smoke detector with
care settings and two contacts; 李建国's dwelling in grid B has a water meter."""

import datetime as dt

import pytest
from django.utils import timezone

from gridgov.sensors import services
from gridgov.sensors.services import Contact
from gridgov.territory.enums import Duty
from gridgov.territory.models import Assignment

T0 = timezone.make_aware(dt.datetime(2026, 11, 20, 9, 0))


@pytest.fixture
def devices(households, place, persona, area):
    zhang = households["a"].members.get(name="张秀英")
    li = households["b"].members.get(name="李建国")
    Assignment.objects.create(area=area["micro_a"], user=persona["steward_a"], duty=Duty.BUILDING_STEWARD,
                              since=dt.date(2020, 1, 1))
    services.care_profile_set(resident=zhang, now=T0, contacts=[
        Contact(role="family", name="张伟", phone="13700001111"),
        Contact(role="doctor", name="刘医生", phone="13600002222"),
    ])
    door = services.device_register(kind="door", serial="DS-A-1", dwelling=place["dwelling_a"], resident=zhang,
                                    interval_s=600, now=T0)
    smoke = services.device_register(kind="smoke", serial="SM-A-1", dwelling=place["dwelling_a"], resident=zhang,
                                     interval_s=3600, now=T0)
    water = services.device_register(kind="water", serial="WM-B-1", dwelling=place["dwelling_b"], interval_s=3600,
                                     now=T0)
    return {"door": door, "smoke": smoke, "water": water, "zhang": zhang, "li": li}
