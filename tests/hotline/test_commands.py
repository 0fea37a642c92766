import io

import pytest
from django.core.management import CommandError, call_command

from gridgov.accounts.models import ApiToken
from gridgov.cases.models import Case
from gridgov.hotline.models import HotlineOrder
from gridgov.lib.keys import key_hash
from tests.hotline.conftest import HEADER, sheet_row, xlsx


def test_import_file_as_the_hotline_account(tmp_path, place, catalogue):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx([sheet_row("GD1"), sheet_row("GD2", phone=None)]))
    out = io.StringIO()
    call_command("hotline", "import", str(path), stdout=out)
    assert out.getvalue() == "新导入 2 条，已存在 0 条\n"
    call_command("hotline", "import", str(path), stdout=out)
    assert out.getvalue().splitlines()[-1] == "新导入 0 条，已存在 2 条"
    order = HotlineOrder.objects.get(number="GD1")
    assert (order.case.reported_by.username, order.case.channel) == ("hotline-12345", "hotline")
    assert HotlineOrder.objects.get(number="GD2").caller_phone == ""


def test_import_file_lists_every_error(tmp_path, place, catalogue):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx([sheet_row("GD1", called_at="3月3日"), sheet_row("GD2", content=None)]))
    with pytest.raises(CommandError) as caught:
        call_command("hotline", "import", str(path))
    assert str(caught.value) == "12345工单未导入：\n第2行「来电时间」时间格式错误：3月3日\n第3行「诉求内容」不能为空"
    assert Case.objects.count() == 0


def test_import_file_needs_the_columns(tmp_path, db):
    path = tmp_path / "orders.xlsx"
    path.write_bytes(xlsx([], header=HEADER[:5]))
    with pytest.raises(CommandError) as caught:
        call_command("hotline", "import", str(path))
    assert str(caught.value) == "12345工单未导入：\n第1行「分类」缺少此列\n第1行「办理时限」缺少此列"
    (tmp_path / "bad.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="无法读取 .xlsx 文件"):
        call_command("hotline", "import", str(tmp_path / "bad.xlsx"))


def test_token_is_printed_once_and_stored_hashed(db):
    out = io.StringIO()
    call_command("hotline", "token", stdout=out)
    key = out.getvalue().splitlines()[-1]
    token = ApiToken.objects.get()
    assert (token.user.username, token.key_hash) == ("hotline-12345", key_hash(key))
