from gridgov.cases.doctor import section
from gridgov.notify.doctor import section as notify_section
from gridgov.notify.services import outbox_enqueue
from tests.cases.conftest import step


def test_doctor_counts_states_and_overdue_stages(report, people):
    report()  # its accept deadline (2025) is long past
    step(report(), "reject", people["worker_a"], reason="重复")
    assert section() == {"cases": {"reported": 1, "rejected": 1}, "overdue_stages": 1}


def test_notify_doctor_counts_the_outbox(db):
    outbox_enqueue(key="a", channel="console", template="t", text="x")
    assert notify_section() == {"outbox": {"pending": 1}}
