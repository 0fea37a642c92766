import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from gridgov.core.errors import DomainError, NotAllowed
from gridgov.sensors.ledger import devices_import_xlsx
from gridgov.sensors.models import Device
from tests.conftest import id_number

HEADER = ["序列号", "设备类型", "厂商", "楼栋编码", "房号", "关爱对象身份证号", "安装日期", "上报间隔（秒）"]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


CLEAN = [
    ["DS-100", "智慧门磁", "acme", "B-A-1", "1-1201", id_number(1), dt.date(2026, 3, 1), 600],
    ["SM-100", "smoke", "", "B-A-1", "1-1201", "", "2026-03-02", ""],
    ["WM-100", "智能水表", "", "B-B-1", "1-0301", "", None, 3600],
]


def test_clean_ledger_is_imported_and_importing_again_changes_nothing(households):
    assert devices_import_xlsx(file=xlsx(CLEAN)).__dict__ == {"created": 3, "updated": 0}
    assert devices_import_xlsx(file=xlsx(CLEAN)).__dict__ == {"created": 0, "updated": 3}
    assert list(Device.objects.values_list("serial", "kind", "vendor", "dwelling__number", "resident__name",
                                           "installed_on", "interval_s")) == [
        ("DS-100", "door", "acme", "1-1201", "张秀英", dt.date(2026, 3, 1), 600),
        ("SM-100", "smoke", "native", "1-1201", None, dt.date(2026, 3, 2), 3600),
        ("WM-100", "water", "native", "1-0301", None, None, 3600),
    ]


def test_every_bad_row_is_reported_and_nothing_is_written(households):
    rows = CLEAN + [
        ["", "door", "", "B-A-1", "1-1201", "", "", ""],
        ["X-1", "toaster", "", "B-A-1", "1-1201", "", "", ""],
        ["X-2", "door", "", "B-A-1", "9-9999", "", "", ""],
        ["X-3", "door", "", "B-B-1", "1-0301", id_number(1), "", ""],
        ["X-4", "door", "", "B-A-1", "1-1201", "", "3/1/2026", ""],
        ["X-5", "door", "", "B-A-1", "1-1201", "", "", 5],
        ["DS-100", "door", "", "B-A-1", "1-1201", "", "", ""],
    ]
    with pytest.raises(DomainError) as caught:
        devices_import_xlsx(file=xlsx(rows))
    assert caught.value.message == "台账有 7 处错误，未导入任何数据"
    assert [(e["row"], e["column"], e["reason"]) for e in caught.value.details] == [
        (5, "序列号", "不能为空"),
        (6, "设备类型", "未知设备类型：toaster"),
        (7, "房号", "楼栋 B-A-1 中没有房号 9-9999（或不在管辖范围内）"),
        (8, "关爱对象身份证号", "该居民不住在 东城公租房2栋 1-0301"),
        (9, "安装日期", "日期格式应为 YYYY-MM-DD：3/1/2026"),
        (10, "上报间隔（秒）", "上报间隔不能少于 10 秒"),
        (11, "序列号", "与第 2 行重复"),
    ]
    assert Device.objects.count() == 0


def test_a_missing_column_is_reported(households):
    with pytest.raises(DomainError) as caught:
        devices_import_xlsx(file=xlsx([], header=["序列号", "设备类型"]))
    assert [(e["row"], e["column"]) for e in caught.value.details] == [(1, "楼栋编码"), (1, "房号")]


def test_worker_imports_only_within_scope_and_a_steward_not_at_all(households, persona):
    with pytest.raises(DomainError) as caught:
        devices_import_xlsx(file=xlsx(CLEAN), by=persona["worker_a"])
    assert [(e["row"], e["column"]) for e in caught.value.details] == [(4, "房号")]
    with pytest.raises(NotAllowed):
        devices_import_xlsx(file=xlsx(CLEAN[:2]), by=persona["steward_a"])
    assert Device.objects.count() == 0
    assert devices_import_xlsx(file=xlsx(CLEAN[:2]), by=persona["worker_a"]).created == 2


def test_command_imports_and_reports_errors(households, tmp_path, capsys):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(xlsx(CLEAN).getvalue())
    bad.write_bytes(xlsx([["X-1", "toaster", "", "B-A-1", "1-1201", "", "", ""]]).getvalue())
    call_command("sensors", "import", str(good))
    assert capsys.readouterr().out.strip() == '{"created": 3, "updated": 0}'
    with pytest.raises(CommandError):
        call_command("sensors", "import", str(bad))
    assert "第 2 行「设备类型」：未知设备类型：toaster" in capsys.readouterr().err
    assert Device.objects.count() == 3
