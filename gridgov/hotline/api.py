"""/api/v1/hotline/: the hotline system pushes work orders in and reads status changes back."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from gridgov.hotline import selectors, services, sheet

router = Router(tags=["12345热线"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class OrderIn(Schema):
    number: str
    called_at: str
    phone: str = ""
    content: str
    address: str
    category: str = ""
    due_at: str
    building_code: str = ""
    lat: float | None = None
    lng: float | None = None


class OrdersIn(Schema):
    orders: list[OrderIn]


class OrderOut(Schema):
    number: str
    case_id: int
    created: bool


class ImportOut(Schema):
    created: int
    existing: int
    orders: list[OrderOut]


class UpdateOut(Schema):
    update_id: int
    order_number: str
    case_id: int
    status: str
    reason: str
    note: str
    at: dt.datetime
    queued_at: dt.datetime


@router.post("/orders", response=ImportOut, summary="导入12345工单（按工单编号幂等，整批校验）")
def orders_import(request, payload: OrdersIn):
    result = services.hotline_orders_import(rows=[o.dict() for o in payload.orders], by=request.user)
    orders = [OrderOut(number=o.number, case_id=o.case_id, created=True) for o in result.created]
    orders += [OrderOut(number=o.number, case_id=o.case_id, created=False) for o in result.existing]
    return ImportOut(created=len(result.created), existing=len(result.existing), orders=orders)


def _updates(request, since: dt.datetime | None):
    return selectors.hotline_updates_visible_to(request.user, since=since)


@router.get("/updates", response=list[UpdateOut], summary="某时刻以来的回传（签收、办理中、已办结、退回）")
def updates_list(request, since: dt.datetime | None = None):
    return [UpdateOut(update_id=u.pk, order_number=u.order.number, case_id=u.order.case_id, status=u.status,
                      reason=u.reason, note=u.note, at=timezone.localtime(u.at),
                      queued_at=timezone.localtime(u.created_at))
            for u in _updates(request, since)[:5000]]


@router.get("/updates.xlsx", summary="回传导出 .xlsx")
def updates_xlsx(request, since: dt.datetime | None = None):
    response = HttpResponse(sheet.write_updates(_updates(request, since)[:50000]), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="hotline-updates.xlsx"'
    return response
