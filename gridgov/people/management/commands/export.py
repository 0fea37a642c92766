"""`gridgov export KIND …`: exports with masked personal data, each written to the access log."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.core.errors import DomainError


def _ledger_arguments(parser) -> None:
    parser.add_argument("--area", required=True, metavar="CODE", help="网格（或其他区域）编码")
    parser.add_argument("--out", required=True, metavar="FILE", help="输出的 .xlsx 文件")
    parser.add_argument("--by", required=True, metavar="USERNAME",
                        help="导出人（导出须记入个人信息访问日志；须有导出权限且区域在其管辖范围内）")


def _ledger(command: BaseCommand, options: dict) -> None:
    from gridgov.people import ledger

    user = User.objects.filter(username=options["by"], is_active=True).first()
    if user is None:
        raise CommandError(f"用户 {options['by']} 不存在或已停用")
    try:
        content, count = ledger.ledger_export(user=user, area_code=options["area"])
    except DomainError as exc:
        raise CommandError(exc.message) from None
    Path(options["out"]).write_bytes(content)
    command.stdout.write(f"已导出 {count} 人（脱敏）到 {options['out']}")


KINDS = {"ledger": (_ledger_arguments, _ledger)}


class Command(BaseCommand):
    help = "导出：gridgov export ledger --area CODE --out FILE --by USERNAME"

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, (arguments, _) in KINDS.items():
            arguments(kinds.add_parser(kind, help={"ledger": "网格人口台账 (.xlsx，脱敏)"}.get(kind, kind)))

    def handle(self, *args, **options):
        KINDS[options["kind"]][1](self, options)
