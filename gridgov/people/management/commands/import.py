"""`gridgov import KIND FILE …`: bulk imports. Each kind is one entry of KINDS (only "ledger" for now)."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.accounts.models import User
from gridgov.core.errors import DomainError


def _user(username: str | None):
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"用户 {username} 不存在或已停用")
    return user


def _ledger_arguments(parser) -> None:
    parser.add_argument("file", help="人口台账 .xlsx 文件")
    parser.add_argument("--by", metavar="USERNAME", help="以该用户身份导入（按其管辖范围校验并登记为操作人）")
    parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")


def _ledger(command: BaseCommand, options: dict) -> None:
    from gridgov.people import ledger

    try:
        with open(options["file"], "rb") as file:
            result = ledger.ledger_import(file=file, user=_user(options["by"]), dry_run=options["dry_run"],
                                          filename=options["file"].rsplit("/", 1)[-1])
    except OSError as exc:
        raise CommandError(f"无法打开文件：{exc}") from None
    except DomainError as exc:
        raise CommandError(exc.message) from None
    for error in result.errors:
        command.stderr.write(str(error))
    if result.errors:
        raise CommandError(f"台账有 {len(result.errors)} 处错误，未写入任何数据")
    command.stdout.write(("导入完成：" if result.applied else "检查通过（未写入）：") + result.summary)


# kind → (add its arguments, run it)
KINDS = {"ledger": (_ledger_arguments, _ledger)}


class Command(BaseCommand):
    help = "批量导入：gridgov import ledger FILE [--by USERNAME] [--dry-run]"

    def add_arguments(self, parser):
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
        for kind, (arguments, _) in KINDS.items():
            arguments(kinds.add_parser(kind, help={"ledger": "人口台账 (.xlsx)"}.get(kind, kind)))

    def handle(self, *args, **options):
        KINDS[options["kind"]][1](self, options)
