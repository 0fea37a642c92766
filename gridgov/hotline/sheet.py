"""The hotline's .xlsx files: work orders in (one header row), updates out."""

import io
import zipfile

from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from gridgov.core.errors import DomainError
from gridgov.hotline.rows import COLUMNS, OPTIONAL_COLUMNS

UPDATE_HEADER = ["回传编号", "工单编号", "状态", "退回理由", "办理情况", "时间"]


def read_orders(data: bytes) -> list[dict]:
    """Rows of the first sheet as {field: cell}, by the header's Chinese column names, with their sheet row number."""
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise DomainError(f"无法读取 .xlsx 文件：{exc}", code="invalid_file") from None
    lines = sheet.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(lines, ())]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        details = [{"row": 1, "column": name, "reason": "缺少此列"} for name in missing]
        raise DomainError(f"12345工单表第1行缺少列：{'、'.join(missing)}", code="invalid_rows", details=details)
    fields = {i: {**COLUMNS, **OPTIONAL_COLUMNS}.get(name) for i, name in enumerate(header)}
    rows = []
    for number, line in enumerate(lines, start=2):
        if all(c is None or str(c).strip() == "" for c in line):
            continue
        rows.append({"row": number, **{fields[i]: value for i, value in enumerate(line) if fields.get(i)}})
    return rows


def write_updates(updates) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "12345回传"
    sheet.append(UPDATE_HEADER)
    for u in updates:
        sheet.append([u.pk, u.order.number, u.status, u.reason, u.note,
                      timezone.localtime(u.at).strftime("%Y-%m-%d %H:%M:%S")])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
