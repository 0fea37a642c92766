"""Device ledgers as .xlsx: every row is checked first; nothing is written unless all rows are clean.

Columns (first row, in any order): 序列号, 设备类型, 厂商, 楼栋编码, 房号, 关爱对象身份证号, 安装日期, 上报间隔（秒）.
设备类型 is a code (door, smoke …) or its Chinese name. Importing the same file again changes nothing
(a known serial is re-bound to the row's values).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from openpyxl import load_workbook

from gridgov.core.errors import DomainError, NotAllowed
from gridgov.lib import idcard
from gridgov.lib.pii import blind_index
from gridgov.people.models import Resident
from gridgov.sensors.enums import DEVICE_WRITERS, DeviceKind
from gridgov.sensors.models import Device
from gridgov.sensors.services import device_register
from gridgov.territory.models import Dwelling

COLUMNS = {"serial": "序列号", "kind": "设备类型", "vendor": "厂商", "building": "楼栋编码", "number": "房号",
           "resident": "关爱对象身份证号", "installed_on": "安装日期", "interval_s": "上报间隔（秒）"}
REQUIRED = ("serial", "kind", "building", "number")
KINDS = {**{value: value for value in DeviceKind.values}, **{label: value for value, label in DeviceKind.choices}}


@dataclass
class Row:
    number: int
    serial: str
    kind: str
    vendor: str
    dwelling: Dwelling
    resident: Resident | None
    installed_on: dt.date | None
    interval_s: int


@dataclass
class ImportResult:
    created: int
    updated: int


class RowError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column, self.reason = column, reason


def devices_import_xlsx(*, file, by=None) -> ImportResult:
    """Import a device ledger; raises DomainError listing every row/column/reason when not clean."""
    if by is not None and by.role not in DEVICE_WRITERS:
        raise NotAllowed("您的角色不能导入设备台账")
    rows, errors = _read(file, by)
    if errors:
        raise DomainError(f"台账有 {len(errors)} 处错误，未导入任何数据", code="invalid_ledger", details=errors)
    return _write(rows, by)


@transaction.atomic
def _write(rows: list[Row], by) -> ImportResult:
    known = set(Device.objects.filter(serial__in=[r.serial for r in rows]).values_list("serial", flat=True))
    for row in rows:
        device_register(by=by, kind=row.kind, serial=row.serial, vendor=row.vendor, dwelling=row.dwelling,
                        resident=row.resident, installed_on=row.installed_on, interval_s=row.interval_s)
    return ImportResult(created=len(rows) - len(known), updated=len(known))


def _read(file, by) -> tuple[list[Row], list[dict]]:
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise DomainError("无法读取文件：请上传 .xlsx 格式的台账", code="invalid_ledger") from None
    lines = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(lines, ())]
    missing = [COLUMNS[c] for c in REQUIRED if COLUMNS[c] not in header]
    if missing:
        return [], [{"row": 1, "column": name, "reason": "缺少此列"} for name in missing]
    index = {key: header.index(name) for key, name in COLUMNS.items() if name in header}
    rows, errors, seen = [], [], {}
    for number, values in enumerate(lines, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        cells = {key: values[i] if i < len(values) else None for key, i in index.items()}
        try:
            row = _row(number, cells, by)
        except RowError as exc:
            errors.append({"row": number, "column": COLUMNS[exc.column], "reason": exc.reason})
            continue
        if row.serial in seen:
            errors.append({"row": number, "column": COLUMNS["serial"], "reason": f"与第 {seen[row.serial]} 行重复"})
            continue
        seen[row.serial] = number
        rows.append(row)
    return rows, errors


def _text(cells: dict, key: str) -> str:
    value = cells.get(key)
    return "" if value is None else str(value).strip()


def _row(number: int, cells: dict, by) -> Row:
    for key in REQUIRED:
        if not _text(cells, key):
            raise RowError(key, "不能为空")
    serial = _text(cells, "serial")
    if len(serial) > 64:
        raise RowError("serial", "序列号不能超过 64 个字符")
    kind = KINDS.get(_text(cells, "kind"))
    if kind is None:
        raise RowError("kind", f"未知设备类型：{_text(cells, 'kind')}")
    dwelling = _dwelling(cells, by)
    return Row(number=number, serial=serial, kind=kind, vendor=_text(cells, "vendor") or "native",
               dwelling=dwelling, resident=_resident(cells, dwelling), installed_on=_date(cells),
               interval_s=_interval(cells))


def _dwelling(cells: dict, by) -> Dwelling:
    dwellings = Dwelling.objects.select_related("building")
    if by is not None:
        from gridgov.territory.selectors import dwellings_visible_to

        dwellings = dwellings_visible_to(by)
    dwelling = dwellings.filter(building__code=_text(cells, "building"), number=_text(cells, "number")).first()
    if dwelling is None:
        raise RowError("number", f"楼栋 {_text(cells, 'building')} 中没有房号 {_text(cells, 'number')}（或不在管辖范围内）")
    return dwelling


def _resident(cells: dict, dwelling: Dwelling) -> Resident | None:
    number = idcard.normalise(_text(cells, "resident"))
    if not number:
        return None
    resident = Resident.objects.filter(id_number_index=blind_index(number), is_active=True).select_related(
        "household").first()
    if resident is None:
        raise RowError("resident", "没有此身份证号的在住居民")
    if resident.household is None or resident.household.dwelling_id != dwelling.pk:
        raise RowError("resident", f"该居民不住在 {dwelling}")
    return resident


def _date(cells: dict) -> dt.date | None:
    value = cells.get("installed_on")
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise RowError("installed_on", f"日期格式应为 YYYY-MM-DD：{value}") from None


def _interval(cells: dict) -> int:
    value = cells.get("interval_s")
    if value in (None, ""):
        return 3600
    try:
        seconds = int(str(value).strip().split(".")[0]) if not isinstance(value, (int, float)) else int(value)
    except ValueError:
        raise RowError("interval_s", f"应为整数秒：{value}") from None
    if seconds < 10:
        raise RowError("interval_s", "上报间隔不能少于 10 秒")
    return seconds
