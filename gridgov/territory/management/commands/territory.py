"""`gridgov territory import FILE.geojson` and `gridgov territory export --code CODE`."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.territory import geojson, selectors, services
from gridgov.territory.models import Area


class Command(BaseCommand):
    help = "辖区边界：从 GeoJSON 导入（全部校验通过才写入），或导出某区域及其下级为 GeoJSON"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入 GeoJSON FeatureCollection（properties: kind, code, name, parent_code）")
        imp.add_argument("file", help="GeoJSON 文件路径")
        exp = sub.add_parser("export", help="导出区域及其全部下级")
        exp.add_argument("--code", required=True, help="区域编码")
        exp.add_argument("--output", "-o", help="输出文件（缺省为标准输出）")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(options["file"])
        else:
            self._export(options["code"], options.get("output"))

    def _import(self, file: str) -> None:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"无法读取 {file}：{exc.strerror if isinstance(exc, OSError) else '不是 UTF-8 文本'}") from None
        try:
            collection = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{file} 不是有效的 GeoJSON：第{exc.lineno}行第{exc.colno}列格式错误") from None
        try:
            result = services.territory_import(collection=collection)
        except DomainError as exc:
            raise CommandError("\n".join([exc.message, *exc.details])) from None
        self.stdout.write(f"新增 {len(result.created)}，更新 {len(result.updated)}，未变 {len(result.unchanged)}")

    def _export(self, code: str, output: str | None) -> None:
        area = Area.objects.filter(code=code).first()
        if area is None:
            raise CommandError(f"没有编码为 {code} 的区域")
        features = (geojson.area_feature(a) for a in selectors.areas_under(area))
        text = json.dumps(geojson.feature_collection(features), ensure_ascii=False, indent=1)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已导出到 {output}")
        else:
            self.stdout.write(text)
