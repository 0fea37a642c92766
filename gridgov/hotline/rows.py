"""Checking hotline work orders, from the API or a sheet, all at once: every error with its row, column and reason."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from gridgov.core.errors import DomainError
from gridgov.open311.services import building_for_address
from gridgov.territory.models import Building
from gridgov.territory.selectors import locate

# The sheet's columns (and the API's field names), required first.
COLUMNS = {
    "工单编号": "number", "来电时间": "called_at", "来电号码": "phone", "诉求内容": "content",
    "地址": "address", "分类": "category", "办理时限": "due_at",
}
OPTIONAL_COLUMNS = {"楼栋编码": "building_code", "纬度": "lat", "经度": "lng"}
LABELS = {field: label for label, field in {**COLUMNS, **OPTIONAL_COLUMNS}.items()}
REQUIRED = ("number", "called_at", "content", "address", "due_at")
MAX_ROWS = 5000
STREET_CODE_LENGTH = 9
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


@dataclass
class OrderRow:
    number: str
    called_at: dt.datetime
    phone: str
    content: str
    address: str
    category: str
    due_at: dt.datetime
    place: dict


class RowErrors:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, row: int, field: str, reason: str) -> None:
        self.items.append({"row": row, "column": LABELS.get(field, field), "reason": reason})

    def raise_any(self) -> None:
        if self.items:
            shown = "；".join(f"第{e['row']}行「{e['column']}」{e['reason']}" for e in self.items[:20])
            more = f"……等共{len(self.items)}处" if len(self.items) > 20 else ""
            raise DomainError(f"12345工单校验未通过，未导入任何工单：{shown}{more}", code="invalid_rows",
                              details=self.items)


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def when(value) -> dt.datetime | None:
    """A sheet's date-time (a datetime cell, or text in a usual format, or ISO 8601) in Beijing time."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        raw = text(value)
        moment = None
        for fmt in TIME_FORMATS:
            try:
                moment = dt.datetime.strptime(raw, fmt)
                break
            except ValueError:
                continue
        if moment is None:
            try:
                moment = dt.datetime.fromisoformat(raw)
            except ValueError:
                return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _number(value) -> float | None:
    try:
        return float(text(value)) if text(value) else None
    except ValueError:
        return None


def _place(values: dict, n: int, errors: RowErrors, by) -> dict:
    code, lat, lng = text(values.get("building_code")), _number(values.get("lat")), _number(values.get("lng"))
    if code:
        building = Building.objects.filter(code=code).first()
        if building is None:
            errors.add(n, "building_code", f"楼栋编码 {code} 不存在")
            return {}
        place, area_code = {"building": building}, building.area_code
    elif lat is not None and lng is not None:
        grid, micro = locate(lat, lng)
        place, area_code = {"lat": lat, "lng": lng}, (micro or grid).code if grid else ""
    else:
        building = building_for_address(text(values.get("address")))
        if building is None:
            errors.add(n, "address", "无法定位到已登记的楼栋，请补充「楼栋编码」或「纬度」「经度」")
            return {}
        place, area_code = {"building": building}, building.area_code
    scope = getattr(by, "scope_code", None)
    if not scope or (not area_code and len(scope) <= STREET_CODE_LENGTH):
        return place  # off-grid cases go to the street's queue
    if not area_code:
        errors.add(n, "lat", "坐标不在任何网格内")
    elif not area_code.startswith(scope):
        errors.add(n, "address", "不在您的管辖范围内")
    return place


def _row(values: dict, n: int, errors: RowErrors, by) -> OrderRow | None:
    before = len(errors.items)
    for field in REQUIRED:
        if not text(values.get(field)):
            errors.add(n, field, "不能为空")
    called_at, due_at = when(values.get("called_at")), when(values.get("due_at"))
    if text(values.get("called_at")) and called_at is None:
        errors.add(n, "called_at", f"时间格式错误：{text(values.get('called_at'))}")
    if text(values.get("due_at")) and due_at is None:
        errors.add(n, "due_at", f"时间格式错误：{text(values.get('due_at'))}")
    if called_at and due_at and due_at <= called_at:
        errors.add(n, "due_at", "办理时限应晚于来电时间")
    phone = text(values.get("phone"))
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        errors.add(n, "phone", f"电话号码格式错误：{phone}")
    if len(text(values.get("number"))) > 50:
        errors.add(n, "number", "超过50个字符")
    place = _place(values, n, errors, by) if text(values.get("address")) else {}
    if len(errors.items) > before:
        return None
    return OrderRow(number=text(values["number"]), called_at=called_at, phone=phone, content=text(values["content"]),
                    address=text(values["address"]), category=text(values.get("category"))[:100], due_at=due_at,
                    place=place)


def rows_check(rows: list[dict], *, by, first_row: int = 1) -> list[OrderRow]:
    """Every row checked before anything is written; raises DomainError listing (row, column, reason)."""
    errors = RowErrors()
    if not rows:
        errors.add(first_row, "number", "没有工单")
    if len(rows) > MAX_ROWS:
        errors.add(first_row, "number", f"一次最多导入{MAX_ROWS}条")
    errors.raise_any()
    checked, seen = [], {}
    for n, values in enumerate(rows, start=first_row):
        n = values.get("row") or n
        number = text(values.get("number"))
        if number in seen:
            errors.add(n, "number", f"工单编号 {number} 与第{seen[number]}行重复")
            continue
        seen[number] = n
        row = _row(values, n, errors, by)
        if row is not None:
            checked.append(row)
    errors.raise_any()
    return checked
