import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gridgov.core.management.commands.serve import granian_argv


class Command(BaseCommand):
    help = "一键启动：迁移数据库、收集静态文件、首次加载演示数据，并启动 Web 服务与后台进程"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        call_command("demo", if_empty=True)
        children = [subprocess.Popen([sys.executable, "-m", "gridgov", "worker"])]
        children += self.extra_processes()
        self.stdout.write(self.style.SUCCESS(f"\n基层智治平台已启动：http://{options['host']}:{options['port']}/"))
        call_command("demo", logins=True)
        try:
            subprocess.run(granian_argv(options["host"], options["port"], 4, 1), check=False)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()

    def extra_processes(self) -> list:
        """Further demo processes (sensor ingester, simulator) started beside the web server."""
        return []
