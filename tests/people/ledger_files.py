"""Build population-ledger .xlsx files for tests with openpyxl."""

import io

import openpyxl

from gridgov.people.ledger import COLUMNS


def xlsx(rows: list[dict], columns: list[str] = COLUMNS) -> bytes:
    """One sheet: the header, then each row's values by column name (missing → empty cell)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_rows(content: bytes) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row(**values) -> dict:
    """A valid-looking row for dwelling B-A-1 1-1202; pass Chinese column names through `values`."""
    base = {"户编号": "H-NEW-1", "楼栋编码": "B-A-1", "房号": "1-1202", "居住起始日期": "2021-03-01"}
    return {**base, **values}
