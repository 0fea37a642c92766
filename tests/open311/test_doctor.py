from gridgov.cases import services as cases
from gridgov.open311.doctor import section
from tests.cases.conftest import IN_GRID_A, MONDAY


def test_cases_by_channel(people, catalogue):
    assert section() == {"cases_by_channel": {}}
    for channel, by in (("app", people["resident"]), ("app", people["resident"]), ("patrol", people["worker_a"])):
        cases.case_intake(channel=channel, description=f"{channel} 上报", by=by, now=MONDAY, **IN_GRID_A)
    assert section() == {"cases_by_channel": {"app": 2, "patrol": 1}}
