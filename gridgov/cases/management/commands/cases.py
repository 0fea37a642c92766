"""`gridgov cases rollup --rebuild | --check` — the measures' rollup (gridgov/cases/rollup.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from gridgov.cases.rollup import rollup_differences, rollup_rebuild

SHOWN = 20


class Command(BaseCommand):
    help = "事件考核汇总表：rollup --rebuild 从事件与工单重新统计；rollup --check 核对汇总表与事件是否一致"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        rollup = sub.add_parser("rollup", help="考核指标的日、月汇总表")
        what = rollup.add_mutually_exclusive_group(required=True)
        what.add_argument("--rebuild", action="store_true", help="清空并从事件与工单重新统计（可重复执行）")
        what.add_argument("--check", action="store_true", help="与重新统计的结果逐行核对，不一致时列出并返回非零")

    def handle(self, *args, action, rebuild=False, check=False, **options):
        started = time.monotonic()
        if rebuild:
            counts = rollup_rebuild()
            self.stdout.write(self.style.SUCCESS(
                f"考核汇总表已重建：{counts['days']} 个日汇总行、{counts['months']} 个月汇总行"
                f"（{time.monotonic() - started:.1f} 秒）"))
            return
        found = rollup_differences()
        if not found:
            self.stdout.write(self.style.SUCCESS(f"考核汇总表与事件一致（{time.monotonic() - started:.1f} 秒）"))
            return
        for table, (period, area, department), stored, counted in found[:SHOWN]:
            self.stdout.write(f"{'日' if table == 'day' else '月'}汇总 {period} 区域 {area} 部门#{department}："
                              f"表中 {stored or '无'}，应为 {counted or '无'}")
        more = f"（仅列出前 {SHOWN} 行）" if len(found) > SHOWN else ""
        raise CommandError(f"考核汇总表有 {len(found)} 行与事件不一致{more}；"
                           f"运行 gridgov cases rollup --rebuild 重新统计")
