import io
import json

import pytest
from django.core.management import CommandError, call_command

from gridgov.territory.models import Area
from tests.territory.test_services import BOWTIE, new_street, snapshot

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("territory", *args, stdout=out)
    return out.getvalue()


def test_import_then_reimport(area, tmp_path):
    path = tmp_path / "street.geojson"
    path.write_text(json.dumps(new_street(), ensure_ascii=False), encoding="utf-8")
    assert run("import", str(path)) == "新增 4，更新 0，未变 0\n"
    before = snapshot()
    assert run("import", str(path)) == "新增 0，更新 0，未变 4\n"
    assert snapshot() == before


def test_import_of_an_invalid_file_writes_nothing(area, tmp_path):
    bad = new_street()
    bad["features"][0]["geometry"] = BOWTIE
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import", str(path))
    assert str(caught.value) == ("边界文件有 1 处错误，未导入任何数据\n"
                                 "第1个要素（编码 50011300300100101）：第1个多边形的外环无效：自相交于[106.05 29.05]")
    assert not Area.objects.filter(code__startswith="500113003").exists()


def test_import_of_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        run("import", str(path))
    assert str(raised.value) == f"{path} 不是有效的 GeoJSON：第1行第2列格式错误"


def test_export_is_the_subtree_and_imports_back_unchanged(area, tmp_path):
    exported = json.loads(run("export", "--code", "500113002001001"))
    assert [f["properties"] for f in exported["features"]] == [
        {"kind": "grid", "code": "500113002001001", "name": "第一网格", "parent_code": "500113002001"},
        {"kind": "microgrid", "code": "50011300200100101", "name": "第一网格1号微网格",
         "parent_code": "500113002001001"},
    ]
    path = tmp_path / "out.geojson"
    assert run("export", "--code", "500113", "--output", str(path)) == f"已导出到 {path}\n"
    assert len(json.loads(path.read_text(encoding="utf-8"))["features"]) == 7
    assert run("import", str(path)) == "新增 0，更新 0，未变 7\n"


def test_export_of_an_unknown_code(area):
    with pytest.raises(CommandError, match="没有编码为 999 的区域"):
        run("export", "--code", "999")
