import time
import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.demo import loader


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in [header, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


class Command(BaseCommand):
    help = "演示数据：界石镇（东城社区等三个社区）的区域、房屋、居民、党组织与各角色演示账号"

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="仅当数据库中还没有任何区域时加载")
        parser.add_argument("--reset", action="store_true", help="清空数据库后重新生成演示数据")
        parser.add_argument("--logins", action="store_true", help="列出各角色的演示账号（不加载数据）")

    def handle(self, *args, **options):
        if options["logins"]:
            return self.print_logins()
        if not settings.DEMO:
            if options["if_empty"]:
                return
            raise CommandError("演示数据只能在演示模式下加载：请设置 GRIDGOV_DEMO=1（演示账号的密码是公开的）")
        if options["reset"]:
            loader.demo_wipe()
        elif not loader.demo_is_empty():
            if options["if_empty"]:
                return
            raise CommandError("数据库中已有区域数据：用 --reset 清空后重新生成，或 --if-empty 跳过")
        started = time.monotonic()
        self.stdout.write("正在生成街道、房屋、居民、演示账号、事件分类与部门……")
        loader.demo_load()
        self.stdout.write(f"  完成（{time.monotonic() - started:.1f} 秒）")
        step = time.monotonic()
        self.stdout.write(f"正在生成一年的事件记录（{loader.HISTORY_COUNT} 件）……")
        loader.demo_case_history()
        self.stdout.write(f"  完成（{time.monotonic() - step:.1f} 秒）")
        step = time.monotonic()
        self.stdout.write("正在训练事件分类模型……")
        result = loader.demo_triage_train()
        self.stdout.write(f"  完成：{result.category_count} 个类别，模型保存在 {result.path}（{time.monotonic() - step:.1f} 秒）")
        self.stdout.write(self.style.SUCCESS(f"演示数据已生成（{time.monotonic() - started:.1f} 秒）"))

    def print_logins(self):
        rows = loader.login_rows()
        if not rows:
            self.stdout.write("没有演示账号（尚未加载演示数据）")
            return
        self.stdout.write("\n演示账号（仅限演示环境）：")
        self.stdout.write(table(("角色", "用户名", "密码", "区域"), rows))
        departments = loader.department_rows()
        if departments:
            self.stdout.write("\n部门工作人员账号（处置事件工单）：")
            self.stdout.write(table(("角色", "用户名", "密码", "部门"), departments))
        more = loader.further_login_count()
        if more:
            self.stdout.write(f"另有 {more} 个账号（各网格的网格员、网格长、楼栋长等，如 grid_worker_c、"
                              f"building_steward_a2、grid_worker_jinyu_1），密码相同。")
