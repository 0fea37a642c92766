from gridgov.notify.models import Outbox
from tests.cases.conftest import step, to_state


def test_messages_are_created_after_commit(report, people, department, django_capture_on_commit_callbacks):
    case = report()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        step(case, "accept", people["worker_a"])
    assert Outbox.objects.count() == 0  # nothing before the commit
    for callback in callbacks:
        callback()
    message = Outbox.objects.get()
    assert (message.user, message.template, message.channel) == (people["resident"], "case_accept", "console")
    assert message.text == f"【基层智治】事件#{case.pk}“小区门口有人占道摆摊”受理，当前状态：已受理"


def test_rejection_reason_reaches_the_reporter(report, people, django_capture_on_commit_callbacks):
    case = report()
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "reject", people["worker_a"], reason="不属于本社区管辖")
    assert Outbox.objects.get().text.endswith("理由：不属于本社区管辖")


def test_dispatch_tells_the_department(report, people, department, django_capture_on_commit_callbacks):
    case = to_state(report(), "registered", people, department)
    with django_capture_on_commit_callbacks(execute=True):
        step(case, "dispatch", people["community_staff"], lead_department=department.pk)
    assert list(Outbox.objects.values_list("user__username", "template")) == [("dept_staff", "case_dispatch")]


def test_merged_case_reporters_are_informed(report, people, django_capture_on_commit_callbacks):
    first = report()
    second = report(by=people["worker_b"], reporter_phone="13800001111")
    with django_capture_on_commit_callbacks(execute=True):
        step(second, "merge", people["worker_a"], into=first.pk)
    message = Outbox.objects.get()
    assert (message.template, message.user, message.address) == ("case_merge", people["worker_b"], "13800001111")


def test_escalation_tells_the_next_levels_supervisors(report, people, django_capture_on_commit_callbacks):
    from gridgov.cases import tasks
    from tests.cases.conftest import MONDAY

    report()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.case_escalate_sweep(MONDAY.replace(hour=13))
    assert list(Outbox.objects.values_list("user__username", "template")) == [("secretary", "case_escalate")]
