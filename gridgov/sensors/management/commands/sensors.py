import json

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.core.errors import DomainError


class Command(BaseCommand):
    help = "感知设备管理：import FILE（导入设备台账 .xlsx）、gateway NAME（创建网关并显示一次密钥）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="导入设备台账（先校验全部行，有错误则不写入）")
        imp.add_argument("file")
        imp.add_argument("--user", default=None, help="以此用户的权限与管辖范围导入（默认不限）")
        gateway = sub.add_parser("gateway", help="创建 HTTP 网关并输出其密钥（只显示这一次）")
        gateway.add_argument("name")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(options["file"], options["user"])
        else:
            from gridgov.sensors.services import gateway_create

            gateway, key = gateway_create(name=options["name"])
            self.stdout.write(f"网关 #{gateway.pk} {gateway.name}\nX-Gateway-Key: {key}")

    def _import(self, path: str, username: str | None) -> None:
        from gridgov.sensors.ledger import devices_import_xlsx

        by = User.objects.get(username=username) if username else None
        try:
            with open(path, "rb") as file:
                result = devices_import_xlsx(file=file, by=by)
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{path}") from None
        except DomainError as exc:
            for error in exc.details:
                self.stderr.write(f"第 {error['row']} 行「{error['column']}」：{error['reason']}")
            raise CommandError(exc.message) from None
        self.stdout.write(json.dumps({"created": result.created, "updated": result.updated}, ensure_ascii=False))
