import datetime as dt

import pytest

from gridgov.cases.models import Case, CaseEvent
from gridgov.core.errors import DomainError, NotAllowed
from gridgov.hotline.models import HotlineOrder, HotlineUpdate
from gridgov.hotline.services import hotline_collect_sweep, hotline_orders_import
from gridgov.lib.workcal import TZ
from tests.cases.conftest import MONDAY, step
from tests.hotline.conftest import order


def test_import_makes_hotline_cases_and_keeps_the_deadline(centre, place, catalogue):
    result = hotline_orders_import(rows=[order(), order("GD2", address="某处", building_code="B-B-1")], by=centre,
                                   now=MONDAY)
    first, second = result.created
    assert result.existing == []
    case = first.case
    assert (case.channel, case.source, case.external_id, case.reported_by_id) == ("hotline", "12345",
                                                                                   "GD2025030300001", centre.pk)
    assert (case.description, case.address, case.reporter_phone, case.building.code) == (
        "东城公租房1栋楼下垃圾堆了三天", "界石镇东城社区东城公租房1栋", "13800001111", "B-A-1")
    assert (case.suggested_category.code, case.created_at) == ("0102", MONDAY)
    assert (first.called_at, first.due_at, first.category_text, first.caller_phone) == (
        dt.datetime(2025, 3, 3, 9, 12, tzinfo=TZ), dt.datetime(2025, 3, 7, 18, tzinfo=TZ), "城乡建设", "13800001111")
    assert second.case.building.code == "B-B-1"


def test_import_is_idempotent_on_the_number(centre, place, catalogue):
    hotline_orders_import(rows=[order()], by=centre, now=MONDAY)
    again = hotline_orders_import(rows=[order(content="改了内容"), order("GD9")], by=centre, now=MONDAY)
    assert ([o.number for o in again.created], [o.number for o in again.existing]) == (["GD9"], ["GD2025030300001"])
    assert Case.objects.filter(external_id="GD2025030300001").get().description == "东城公租房1栋楼下垃圾堆了三天"
    assert (HotlineOrder.objects.count(), Case.objects.count()) == (2, 2)


def test_every_row_is_checked_and_nothing_written(centre, place, catalogue):
    rows = [order(), order("GD2", called_at="昨天", phone="12-34"), order("GD2"),
            order("GD3", address="火星", due_at="2025-03-01 00:00"), order("", content="")]
    with pytest.raises(DomainError) as caught:
        hotline_orders_import(rows=rows, by=centre, now=MONDAY)
    assert caught.value.details == [
        {"row": 2, "column": "来电时间", "reason": "时间格式错误：昨天"},
        {"row": 2, "column": "来电号码", "reason": "电话号码格式错误：12-34"},
        {"row": 3, "column": "工单编号", "reason": "工单编号 GD2 与第2行重复"},
        {"row": 4, "column": "办理时限", "reason": "办理时限应晚于来电时间"},
        {"row": 4, "column": "地址", "reason": "无法定位到已登记的楼栋，请补充「楼栋编码」或「纬度」「经度」"},
        {"row": 5, "column": "工单编号", "reason": "不能为空"},
        {"row": 5, "column": "诉求内容", "reason": "不能为空"},
    ]
    assert caught.value.message.startswith("12345工单校验未通过，未导入任何工单：第2行「来电时间」时间格式错误：昨天；")
    assert (Case.objects.count(), HotlineOrder.objects.count()) == (0, 0)


@pytest.mark.parametrize("who", ["worker_a", "resident", "auditor"])
def test_only_staff_and_the_hotline_account_import(people, place, catalogue, who):
    with pytest.raises(NotAllowed):
        hotline_orders_import(rows=[order()], by=people[who], now=MONDAY)
    assert (Case.objects.count(), HotlineOrder.objects.count()) == (0, 0)


def test_staff_import_only_in_their_scope(people, area, place, catalogue):
    from gridgov.accounts.models import User

    staff_a = User.objects.create_user(username="staff_a", role="community_staff", area=area["grid_a"])
    rows = [order("GD1"), order("GD2", building_code="B-B-1"), order("GD3", lat=29.3935, lng=106.6305)]
    with pytest.raises(DomainError) as caught:
        hotline_orders_import(rows=rows, by=staff_a, now=MONDAY)
    assert caught.value.details == [{"row": 2, "column": "地址", "reason": "不在您的管辖范围内"},
                                    {"row": 3, "column": "纬度", "reason": "坐标不在任何网格内"}]
    assert Case.objects.count() == 0
    ok = hotline_orders_import(rows=rows, by=people["centre"], now=MONDAY)  # the street's command centre
    assert [o.case.off_grid for o in ok.created] == [False, False, True]


def _hotline_case(centre):
    return hotline_orders_import(rows=[order()], by=centre, now=MONDAY).created[0].case


def test_changes_are_queued_once_in_the_hotlines_terms(centre, people, department, place, catalogue, report):
    case = _hotline_case(centre)
    other = report()  # a case from another channel is never queued
    step(other, "accept", people["worker_a"])
    case = step(case, "accept", people["worker_a"])
    case = step(case, "register", people["worker_a"], category=case.suggested_category_id, affair_kind="public")
    step(case, "note", people["worker_a"], note="内部备注")  # not a change the hotline hears of
    case = step(case, "dispatch", people["community_staff"], lead_department=department.pk)
    lead = case.work_orders.get(role="lead")
    case = step(case, "sign", people["dept_staff"], work_order=lead.pk)
    step(case, "resolve", people["dept_staff"], work_order=lead.pk, result="已清运完毕")
    assert hotline_collect_sweep(MONDAY) == 5
    assert hotline_collect_sweep(MONDAY) == 0
    updates = list(HotlineUpdate.objects.order_by("id").values_list("status", "reason", "note", "state"))
    assert updates == [("签收", "", "", "pending"), ("办理中", "", "", "pending"), ("办理中", "", "", "pending"),
                       ("办理中", "", "", "pending"), ("已办结", "", "已清运完毕", "pending")]
    assert set(HotlineUpdate.objects.values_list("order__case_id", flat=True)) == {case.pk}


def test_reject_goes_back_with_its_reason(centre, people, place, catalogue):
    case = _hotline_case(centre)
    step(case, "reject", people["worker_a"], reason="属于物业管理范围，请联系物业")
    assert hotline_collect_sweep(MONDAY) == 1
    assert list(HotlineUpdate.objects.values_list("status", "reason", "note")) == [
        ("退回", "属于物业管理范围，请联系物业", "")]


def test_a_late_committed_event_below_the_mark_is_still_collected(centre, people, place, catalogue):
    case = _hotline_case(centre)
    step(case, "accept", people["worker_a"])
    assert hotline_collect_sweep(MONDAY) == 1
    HotlineUpdate.objects.all().delete()  # as if its row had not been visible when the mark moved past it
    assert hotline_collect_sweep(MONDAY) == 1
    assert CaseEvent.objects.filter(case=case).count() == 2


def _dispatched(case, people, department):
    case = step(case, "accept", people["worker_a"])
    case = step(case, "register", people["worker_a"], category=case.suggested_category_id, affair_kind="public")
    return step(case, "dispatch", people["community_staff"], lead_department=department.pk)


def test_the_hotline_deadline_is_the_cases_resolve_deadline_after_dispatch(centre, place, catalogue, people,
                                                                            department):
    hotline = hotline_orders_import(rows=[order(due_at="2025-03-04 18:00:00")], by=centre, now=MONDAY).created[0]
    due = dt.datetime(2025, 3, 4, 18, tzinfo=TZ)
    assert (hotline.due_at, hotline.case.deadline_at) == (due, due)
    case = _dispatched(hotline.case, people, department)
    assert case.deadline_at == due
    assert case.work_orders.get(role="lead").resolve_due_at == due


def test_a_later_hotline_deadline_gives_way_to_the_categorys(centre, place, catalogue, people, department):
    hotline = hotline_orders_import(rows=[order(due_at="2025-06-30 18:00:00")], by=centre, now=MONDAY).created[0]
    case = _dispatched(hotline.case, people, department)
    lead = case.work_orders.get(role="lead")
    assert case.deadline_at == lead.resolve_due_at < dt.datetime(2025, 6, 30, 18, tzinfo=TZ)
