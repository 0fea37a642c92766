"""`gridgov hotline import FILE` (work orders from .xlsx) and `gridgov hotline token` (the hotline's API token)."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.hotline import services, sheet


class Command(BaseCommand):
    help = "12345热线：import FILE 导入工单 .xlsx；token 签发热线接口账号的 API 令牌"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        do_import = sub.add_parser("import", help="导入12345工单 .xlsx")
        do_import.add_argument("file")
        do_import.add_argument("--user", help="以此账号导入（默认热线接口账号）")
        sub.add_parser("token", help="签发热线接口账号的 API 令牌（只显示一次）")

    def handle(self, *args, **options):
        if options["what"] == "token":
            self.stdout.write("12345热线接口账号的 API 令牌（只显示这一次）：")
            self.stdout.write(services.hotline_token_create())
            return
        by = self._user(options.get("user"))
        try:
            rows = sheet.read_orders(Path(options["file"]).read_bytes())
            result = services.hotline_orders_import(rows=rows, by=by)
        except OSError as exc:
            raise CommandError(f"无法读取 {options['file']}：{exc}") from None
        except DomainError as exc:
            lines = [f"第{d['row']}行「{d['column']}」{d['reason']}" for d in exc.details] or [exc.message]
            raise CommandError("12345工单未导入：\n" + "\n".join(lines)) from None
        self.stdout.write(f"新导入 {len(result.created)} 条，已存在 {len(result.existing)} 条")

    def _user(self, username):
        if not username:
            return services.hotline_system_user()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号 {username} 不存在")
        return user
