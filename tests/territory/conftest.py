import datetime as dt

import pytest

from gridgov.people import services as people
from gridgov.people.enums import CareGroup
from gridgov.territory import services
from gridgov.territory.enums import Duty


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes most of a second per persona here; these tests are about who may do what."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(area, persona, households):
    """Grid A's team: worker_a as grid worker, steward_a on the microgrid; 张秀英 lives alone."""
    since = dt.date(2024, 1, 1)
    persona["worker_a"].phone = "13712345678"
    persona["worker_a"].save(update_fields=["phone"])
    people.care_membership_add(resident=households["a"].members.get(), group=CareGroup.ELDERLY_ALONE,
                               valid_from=since)
    return {
        "worker": services.assignment_create(area=area["grid_a"], user=persona["worker_a"],
                                             duty=Duty.GRID_WORKER, since=since),
        "police": services.assignment_create(area=area["grid_a"], user=persona["community_staff"],
                                             duty=Duty.COMMUNITY_POLICE, since=since),
        "steward": services.assignment_create(area=area["micro_a"], user=persona["steward_a"],
                                              duty=Duty.BUILDING_STEWARD, since=since),
        "worker_b": services.assignment_create(area=area["grid_b"], user=persona["worker_b"],
                                               duty=Duty.GRID_WORKER, since=since),
    }
