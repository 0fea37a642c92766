from django.conf import settings
from django.core.management.base import BaseCommand

from gridgov.core import worker


class Command(BaseCommand):
    help = "启动后台任务进程：扫描期限、催办、升级、发送通知"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="只扫描一轮后退出")
        parser.add_argument("--interval", type=float, default=None, help="扫描间隔（秒）")

    def handle(self, *args, **options):
        if options["once"]:
            self.stdout.write(str(worker.run_once()))
            return
        worker.run_forever(options["interval"] or settings.GRIDGOV_WORKER_INTERVAL)
