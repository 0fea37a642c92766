import datetime as dt

import pytest
from django.db import connection
from PIL import Image

from gridgov.cases import services
from gridgov.cases.models import Case, CaseEvent, CaseReporter, Category, Department, WorkOrder
from gridgov.core.errors import Conflict, DomainError, NotAllowed
from tests.cases.conftest import CATALOGUE, IN_GRID_A, MONDAY, jpeg, step, to_state


def test_catalogue_loads_two_levels_with_departments(catalogue):
    assert sorted(catalogue) == ["01", "0101", "0102", "02", "0201"]
    child = catalogue["0102"]
    assert (child.parent.code, child.first_level, child.department.name, child.keywords) == \
        ("01", "城乡建设", "镇环卫所", ["垃圾", "清运", "臭"])
    assert services.category_sync_from_catalogue(CATALOGUE) == {"created": 0, "updated": 5, "deactivated": 0}


def test_catalogue_keeps_admin_deadlines_and_deactivates_missing(catalogue, tmp_path):
    Category.objects.filter(code="0101").update(resolve_days=2)
    path = tmp_path / "c.json"
    path.write_text('{"categories": [{"code": "01", "name": "市容环境", "children": '
                    '[{"code": "0101", "name": "占道经营", "keywords": ["占道"]}]}]}', encoding="utf-8")
    assert services.category_sync_from_catalogue(path) == {"created": 0, "updated": 2, "deactivated": 3}
    assert Category.objects.get(code="0101").resolve_days == 2
    assert Category.objects.get(code="0101").department is None


def test_catalogue_whistle_is_set_once_and_an_admin_choice_is_kept(catalogue, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"categories": [{"code": "01", "name": "市容环境", "children": [{"code": "0101", '
                    '"name": "占道经营", "whistle": "quick"}, {"code": "0109", "name": "燃气", "whistle": "urgent"}]}]}',
                    encoding="utf-8")
    services.category_sync_from_catalogue(path)
    assert (Category.objects.get(code="0101").whistle, Category.objects.get(code="0109").whistle) == ("none", "urgent")
    Category.objects.filter(code="0109").update(whistle="quick")
    services.category_sync_from_catalogue(path)
    assert Category.objects.get(code="0109").whistle == "quick"


def test_a_bad_whistle_in_the_catalogue_is_named_and_nothing_changes(catalogue, tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"categories": [{"code": "01", "name": "市容环境改名", "children": [{"code": "0101", '
                    '"name": "占道经营", "whistle": "loud"}]}]}', encoding="utf-8")
    with pytest.raises(DomainError, match="类别 0101 的吹哨类型“loud”无效，应为 none、quick、urgent、complex 之一"):
        services.category_sync_from_catalogue(path)
    assert Category.objects.get(code="01").name == "市容环境"


def test_bad_catalogue_says_where(tmp_path, db):
    path = tmp_path / "c.json"
    path.write_text('{"categories": [{"code": "01"}]}', encoding="utf-8")
    with pytest.raises(DomainError, match="第1个一级类别缺少字段"):
        services.category_sync_from_catalogue(path)


def test_intake_locates_suggests_and_encrypts(report, area, catalogue):
    case = report()
    assert (case.grid, case.area_code, case.off_grid) == (area["grid_a"], area["micro_a"].code, False)
    assert case.suggested_category == catalogue["0101"]
    assert case.state == "reported"
    assert case.masked_reporter_phone == "139****5678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_phone FROM cases_case WHERE id = %s", [case.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("g1:") and "13912345678" not in raw
    assert case.due_at == dt.datetime(2025, 3, 3, 12, 0, tzinfo=MONDAY.tzinfo)  # 2 working hours
    assert list(case.events.values_list("action", "from_state", "to_state")) == [("report", "reported", "reported")]


def test_off_grid_goes_to_the_streets_queue(report, area):
    case = report(lat=29.5, lng=106.9)
    assert (case.grid, case.area_code, case.off_grid) == (None, area["street"].code, True)


def test_anonymous_report_keeps_no_phone(report):
    case = report(anonymous=True, reporter_name="张三")
    assert (case.reporter_phone, case.reporter_name, case.anonymous) == ("", "", True)


def test_api_intake_is_idempotent_on_external_id(people, catalogue):
    args = {"channel": "api", "description": "路灯不亮", "by": people["community_staff"], "external_id": "12345-001",
            "source": "12345", "now": MONDAY, **IN_GRID_A}
    first = services.case_intake(**args)
    again = services.case_intake(**args)
    assert (first.created, again.created, again.case.pk) == (True, False, first.case.pk)
    assert Case.objects.count() == 1


def test_duplicate_within_100_m_and_7_days(report, people):
    first = report()
    near = services.case_intake(channel="app", description="又有人占道摆摊", by=people["resident"],
                                lat=IN_GRID_A["lat"] - 0.0005, lng=IN_GRID_A["lng"], now=MONDAY + dt.timedelta(days=1))
    assert near.duplicates == [first] and near.case.possible_duplicate_of == first
    far = services.case_intake(channel="app", description="占道", by=people["resident"],
                               lat=IN_GRID_A["lat"] + 0.0012, lng=IN_GRID_A["lng"], now=MONDAY)
    late = services.case_intake(channel="app", description="占道", by=people["resident"], **IN_GRID_A,
                                now=MONDAY + dt.timedelta(days=8))
    other = services.case_intake(channel="app", description="垃圾没有清运", by=people["resident"], **IN_GRID_A,
                                 now=MONDAY)
    assert (far.duplicates, other.duplicates) == ([], [])
    assert first not in late.duplicates


def test_me_too_adds_a_reporter(report, people):
    case = report()
    services.case_me_too(case=case, by=people["worker_b"], phone="13800001111")
    assert CaseReporter.objects.filter(case=case).count() == 1
    with pytest.raises(Conflict):
        services.case_me_too(case=case, by=people["worker_b"])
    with pytest.raises(Conflict):
        services.case_me_too(case=case, by=people["resident"])


def test_photos_are_reencoded_without_metadata(report):
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # camera make
    exif = exif.tobytes()
    case = report(photos=[services.Photo("a.jpg", jpeg(exif=exif))])
    attachment = case.attachments.get()
    data = attachment.file.read()
    assert attachment.content_type == "image/jpeg" and (attachment.width, attachment.height) == (40, 30)
    assert b"Canon" not in data and b"Exif" not in data


def test_photo_limits(report):
    with pytest.raises(DomainError, match="最多上传9张"):
        report(photos=[services.Photo(f"{i}.jpg", jpeg()) for i in range(10)])
    with pytest.raises(DomainError, match="不是可识别的图片"):
        report(photos=[services.Photo("x.jpg", b"not an image")])
    with pytest.raises(DomainError, match="超过10MB"):
        report(photos=[services.Photo("big.jpg", b"0" * (10 * 1024 * 1024 + 1))])
    assert Case.objects.count() == 0


def test_whole_path_logs_every_step(report, people, department):
    case = to_state(report(), "closed", people, department)
    assert [e.action for e in case.events.all()] == [
        "report", "accept", "register", "dispatch", "sign", "resolve", "verify", "close"]
    assert (case.outcome, case.lead_department, case.handler) == ("fixed", department, people["dept_staff"])
    assert (case.due_at, case.remind_at, case.escalate_at) == (None, None, None)


def test_refused_transition_changes_nothing(report, people):
    case = report()
    with pytest.raises(NotAllowed):
        step(case, "accept", people["worker_b"])
    with pytest.raises(Conflict, match="不能立案"):
        step(case, "register", people["worker_a"], category=1, affair_kind="public")
    case.refresh_from_db()
    assert (case.state, case.events.count()) == ("reported", 1)


def test_verifier_must_not_be_the_handler(report, people, area, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "dispatch", people["community_staff"], lead_user=people["worker_a"].pk)
    order = case.work_orders.get()
    case = step(case, "sign", people["worker_a"], work_order=order.pk)
    case = step(case, "resolve", people["worker_a"], work_order=order.pk, result="已处理")
    with pytest.raises(NotAllowed):
        step(case, "verify", people["worker_a"])
    assert step(case, "verify", people["community_staff"]).state == "verified"


def test_unsatisfied_rating_reopens_and_redispatch_counts_rework(report, people, department):
    case = to_state(report(), "closed", people, department)
    case = step(case, "rate", people["resident"], rating="unsatisfied", comment="摊贩又回来了")
    assert case.state == "reopened" and case.rating == "unsatisfied"
    case = step(case, "dispatch", people["community_staff"], lead_department=department.pk)
    assert (case.rework_count, case.reworked) == (1, True)
    assert WorkOrder.objects.filter(case=case, rework_count=1).count() == 1


def test_supervisor_closing_a_reopened_case_counts_no_rework(report, people, department):
    case = to_state(report(), "closed", people, department)
    case = step(case, "rate", people["resident"], rating="unsatisfied")
    with pytest.raises(NotAllowed):
        step(case, "close_reopened", people["community_staff"], explanation="诉求不合理")
    case = step(case, "close_reopened", people["secretary"], explanation="诉求超出政策范围，已解释")
    assert (case.state, case.reworked, case.rework_count) == ("closed", False, 0)


def test_return_goes_back_to_the_dispatcher(report, people, department):
    case = to_state(report(), "dispatched", people, department)
    order = case.work_orders.get()
    case = step(case, "return_order", people["dept_staff"], work_order=order.pk, reason="不属于本单位职责")
    order.refresh_from_db()
    assert (case.state, order.state, order.return_reason, case.lead_department) == (
        "registered", "returned", "不属于本单位职责", None)


def test_other_department_cannot_touch_the_order(report, people, department):
    case = to_state(report(), "dispatched", people, department)
    with pytest.raises(NotAllowed):
        step(case, "sign", people["other_dept_staff"], work_order=case.work_orders.get().pk)


def test_claim_is_first_come(report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "open_claim", people["community_staff"])
    case = step(case, "claim", people["party_member"])
    assert (case.state, case.handler) == ("handling", people["party_member"])
    with pytest.raises(Conflict):
        step(case, "claim", people["worker_a"])


def test_quick_whistle_deadlines(report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    tz = MONDAY.tzinfo
    assert order.sign_due_at == dt.datetime(2025, 3, 3, 11, 0, tzinfo=tz)
    assert order.contact_due_at == dt.datetime(2025, 3, 4, 10, 0, tzinfo=tz)
    assert order.arrive_due_at == dt.datetime(2025, 3, 6, 10, 0, tzinfo=tz)
    assert order.alert_at == order.sign_due_at


def test_urgent_whistle_counts_wall_clock(report, people, department):
    case = to_state(report(), "registered", people, department)
    night = dt.datetime(2025, 3, 8, 23, 0, tzinfo=MONDAY.tzinfo)  # a Saturday night
    case = step(case, "whistle", people["community_staff"], at=night, whistle="urgent", departments=[department.pk])
    order = case.work_orders.get()
    assert (order.sign_due_at, order.arrive_due_at) == (night + dt.timedelta(minutes=30), night + dt.timedelta(hours=2))


def test_complex_whistle_needs_approval(report, people, department):
    case = to_state(report(), "registered", people, department)
    with pytest.raises(NotAllowed, match="审批"):
        step(case, "whistle", people["community_staff"], whistle="complex", departments=[department.pk])
    case = step(case, "request_whistle", people["worker_a"], departments=[department.pk])
    assert case.state == "whistle_pending"
    with pytest.raises(NotAllowed):
        step(case, "approve_whistle", people["community_staff"])
    case = step(case, "approve_whistle", people["secretary"])
    order = case.work_orders.get()
    assert (case.state, order.whistle, order.arrive_due_at) == (
        "dispatched", "complex", dt.datetime(2025, 3, 10, 10, 0, tzinfo=MONDAY.tzinfo))


def test_extension_moves_the_deadline(report, people, department):
    case = to_state(report(), "handling", people, department)
    order = case.work_orders.get()
    before = order.resolve_due_at
    case = step(case, "request_extension", people["dept_staff"], work_order=order.pk, days=2, reason="需采购配件")
    case = step(case, "approve_extension", people["community_staff"])
    order.refresh_from_db()
    assert order.resolve_due_at == before + dt.timedelta(days=2)
    assert case.deadline_at == order.resolve_due_at == case.due_at


def test_suspend_stops_and_restarts_the_clock(report, people, department):
    case = to_state(report(), "handling", people, department)
    due = case.due_at
    case = step(case, "suspend", people["worker_a"], reason="等待居民提供材料")
    assert (case.state, case.remind_at, case.escalate_at) == ("suspended", None, None)
    # Paused on Monday 10:00 for one week exactly: the same working time is left.
    case = step(case, "resume", people["worker_a"], at=MONDAY + dt.timedelta(days=7))
    assert case.state == "handling"
    assert case.due_at == due + dt.timedelta(days=7) == case.deadline_at
    assert case.paused_seconds == 7 * 24 * 3600
    assert case.work_orders.get().resolve_due_at == due + dt.timedelta(days=7)


def test_publish_refuses_personal_data(report, people, department):
    case = to_state(report(), "closed", people, department)
    with pytest.raises(DomainError, match="手机号"):
        step(case, "publish", people["worker_a"], title="占道经营已整治", result="联系13912345678")
    case = step(case, "publish", people["worker_a"], title="占道经营已整治", result="摊贩已劝离")
    assert (case.published, case.public_title) == (True, "占道经营已整治")


def test_merge_keeps_reporters(report, people):
    first = report()
    second = report(by=people["worker_b"], channel="app", reporter_phone="13800001111")
    step(second, "merge", people["worker_a"], into=first.pk)
    second.refresh_from_db()
    assert (second.state, second.merged_into, second.outcome) == ("merged", first, "duplicate")
    assert list(first.reporters.values_list("user__username", flat=True)) == ["worker_b"]


def test_check_in_needs_a_photo(report, people, department):
    case = to_state(report(), "dispatched", people, department)
    order = case.work_orders.get()
    with pytest.raises(DomainError, match="照片"):
        step(case, "check_in", people["dept_staff"], work_order=order.pk, lat=29.39, lng=106.62)
    case = services.case_transition(case=case, action="check_in", by=people["dept_staff"], work_order=order.pk,
                                    lat=29.39, lng=106.62, photos=[services.Photo("s.jpg", jpeg())], now=MONDAY)
    order.refresh_from_db()
    assert (case.state, order.arrived_at, order.state) == ("handling", MONDAY, "signed")
    assert CaseEvent.objects.get(action="check_in").attachments.count() == 1


def test_reverse_evaluation(report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "whistle", people["community_staff"], whistle="quick", departments=[department.pk])
    order = case.work_orders.get()
    with pytest.raises(Conflict, match="尚未应哨"):
        services.department_rate(work_order=order, by=people["community_staff"], score=4)
    step(case, "sign", people["dept_staff"], work_order=order.pk)
    order.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.department_rate(work_order=order, by=people["worker_a"], score=4)
    rating = services.department_rate(work_order=order, by=people["community_staff"], score=4, comment="响应快")
    assert (rating.department, rating.score) == (department, 4)
    with pytest.raises(Conflict):
        services.department_rate(work_order=order, by=people["community_staff"], score=5)


def test_department_member_must_have_the_role(people):
    with pytest.raises(DomainError, match="部门工作人员"):
        services.department_add_member(department=Department.objects.first(), user=people["worker_a"])


def test_dispatch_defaults_to_the_categorys_department(report, people, department):
    case = to_state(report(), "registered", people, department)
    case = step(case, "dispatch", people["community_staff"])
    assert (case.lead_department, case.work_orders.get().department) == (department, department)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_one_winner(report, people, department):
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent claims need a server database (run with GRIDGOV_TEST_DATABASE_URL)")
    case = step(to_state(report(), "registered", people, department), "open_claim", people["community_staff"])
    outcomes, barrier = [], threading.Barrier(3)

    def claim(name):
        try:
            barrier.wait()
            step(case, "claim", people[name])
            outcomes.append(("won", name))
        except Conflict:
            outcomes.append(("lost", name))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(n,)) for n in ("worker_a", "steward_a", "party_member")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [n for result, n in outcomes if result == "won"]
    assert len(outcomes) == 3 and len(winners) == 1
    case.refresh_from_db()
    assert case.handler.username == winners[0]
    assert CaseEvent.objects.filter(case=case, action="claim").count() == 1


# --- several reports at once (case_intake_many, the group commit's write) ---------------------------------

def _report(people, **kw):
    return services.Report(**{"channel": "app", "description": "小区门口有人占道摆摊", "by": people["resident"],
                              "reporter_phone": "13912345678", **IN_GRID_A, **kw})


def test_many_reports_become_the_cases_one_by_one_intake_makes(people, area, catalogue):
    far = {"lat": 29.3905, "lng": 106.6225}  # grid B, 200 m away
    reports = [_report(people), _report(people, description="", ), _report(people, description="楼下垃圾没人清运", **far),
               _report(people, reporter_phone="12-34"), _report(people, lat=None, lng=None)]
    results = services.case_intake_many(reports=reports, now=MONDAY)
    assert [type(r).__name__ for r in results] == ["IntakeResult", "DomainError", "IntakeResult", "DomainError",
                                                   "DomainError"]
    assert [r.message for r in results if isinstance(r, DomainError)] == [
        "请描述问题", "电话号码格式错误：12-34", "请提供事件位置（经纬度或楼栋）"]
    first, third = results[0].case, results[2].case
    assert (first.grid, first.area_code, first.suggested_category) == (area["grid_a"], area["micro_a"].code,
                                                                       catalogue["0101"])
    assert (third.grid, third.area_code, third.suggested_category) == (area["grid_b"], area["micro_b"].code,
                                                                       catalogue["0102"])
    assert (first.due_at, third.due_at) == (dt.datetime(2025, 3, 3, 12, 0, tzinfo=MONDAY.tzinfo),) * 2
    assert Case.objects.count() == 2
    assert list(CaseEvent.objects.order_by("case_id").values_list("case_id", "action")) == [
        (first.pk, "report"), (third.pk, "report")]


def test_a_report_sees_the_earlier_reports_of_its_batch_as_possible_duplicates(people, catalogue):
    stored = services.case_intake(**{"channel": "app", "description": "小区门口有人占道摆摊", "by": people["resident"],
                                     "now": MONDAY, "lat": IN_GRID_A["lat"] + 0.0006, "lng": IN_GRID_A["lng"]})
    results = services.case_intake_many(reports=[
        _report(people), _report(people, lat=IN_GRID_A["lat"] - 0.0002, description="又有人占道摆摊")], now=MONDAY)
    first, second = results[0], results[1]
    assert first.duplicates == [stored.case]                   # 67 m away, stored before
    assert second.duplicates == [first.case, stored.case]      # 22 m and 89 m: nearest first, stored or not
    assert Case.objects.get(pk=second.case.pk).possible_duplicate_of_id == first.case.pk
    assert Case.objects.get(pk=first.case.pk).possible_duplicate_of_id == stored.case.pk


def test_a_repeated_external_id_in_one_batch_is_one_case_and_a_refused_first_does_not_count(people, catalogue):
    staff = people["community_staff"]
    args = {"channel": "api", "by": staff, "source": "12345", "description": "路灯不亮"}
    results = services.case_intake_many(reports=[
        _report(people, **args, external_id="A", reporter_phone="bad"),   # refused: the next A is the first
        _report(people, **args, external_id="A"),
        _report(people, **args, external_id="A", lat=None, lng=None),     # a repeat: its location is not looked at
        _report(people, **args, external_id="B")], now=MONDAY)
    assert isinstance(results[0], DomainError)
    assert [(r.created, r.case.external_id) for r in results[1:]] == [(True, "A"), (False, "A"), (True, "B")]
    assert results[2].case.pk == results[1].case.pk
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["A", "B"]
    again = services.case_intake_many(reports=[_report(people, **args, external_id="B")], now=MONDAY)
    assert (again[0].created, again[0].case.pk) == (False, results[3].case.pk)


def test_a_batch_costs_the_same_queries_as_one_report(people, catalogue, django_assert_num_queries):
    staff = people["community_staff"]

    def batch(n, tag):
        return [_report(people, channel="api", by=staff, external_id=f"{tag}{i}",  # 150 m apart: no duplicates
                        lng=IN_GRID_A["lng"] + i * 0.0015) for i in range(n)]

    services.case_intake_many(reports=batch(1, "warm"), now=MONDAY)
    # existing ids, grids' version, grid codes, triage categories, duplicates, calendar; the transaction (here a
    # savepoint in the test's), the savepoint a taken external id rolls back to, cases, the measures' day and
    # month counters, events, two releases
    with django_assert_num_queries(14):
        services.case_intake_many(reports=batch(1, "one"), now=MONDAY)
    with django_assert_num_queries(14):
        services.case_intake_many(reports=batch(5, "five"), now=MONDAY)
    assert Case.objects.count() == 7


def test_an_edited_category_deadline_and_a_new_calendar_override_apply_to_the_next_intake(report, catalogue):
    Category.objects.filter(code="0101").update(accept_hours=4)
    assert report().due_at == dt.datetime(2025, 3, 3, 15, 30, tzinfo=MONDAY.tzinfo)  # 2 h before noon, 2 after 13:30
    services.calendar_override_set(date=MONDAY.date(), is_working_day=False, note="区里放假")
    assert report().due_at == dt.datetime(2025, 3, 4, 14, 30, tzinfo=MONDAY.tzinfo)  # Tuesday: 3 h, then 1 h


@pytest.mark.django_db(transaction=True)
def test_concurrent_reports_through_the_group_commit_are_each_written_once(people, catalogue):
    import threading

    from django.db import connections

    staff, answers = people["community_staff"], {}
    barrier = threading.Barrier(6)

    def post(i):
        try:
            barrier.wait()
            answers[i] = services.case_intake_grouped(report=_report(
                people, channel="api", by=staff, source="partner", external_id=f"E{i % 4}",
                lat=IN_GRID_A["lat"] + i * 0.00001))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(Case.objects.values_list("external_id", flat=True)) == ["E0", "E1", "E2", "E3"]
    by_id = {c.external_id: c.pk for c in Case.objects.all()}
    assert {i: (a.case.pk == by_id[f"E{i % 4}"]) for i, a in answers.items()} == {i: True for i in range(6)}
    assert sorted(a.created for a in answers.values()) == [False, False, True, True, True, True]
    assert CaseEvent.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_batches_racing_for_the_same_external_ids_make_one_case_each(people, catalogue):
    import threading

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database (the test SQLite is in memory, locked per table)")
    staff, answers = people["community_staff"], []
    barrier = threading.Barrier(4)

    def batch(n):
        try:
            reports = [_report(people, channel="api", by=staff, source="12345", external_id=f"R{(n + k) % 3}",
                               lng=IN_GRID_A["lng"] + k * 0.0015) for k in range(3)]
            barrier.wait()
            answers.extend(services.case_intake_many(reports=reports))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=batch, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = {c.external_id: c.pk for c in Case.objects.all()}
    assert sorted(stored) == ["R0", "R1", "R2"]
    assert len(answers) == 12 and all(a.case.pk == stored[a.case.external_id] for a in answers)
    assert sorted(a.case.external_id for a in answers if a.created) == ["R0", "R1", "R2"]
    assert CaseEvent.objects.count() == 3
