import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

DEFAULT_THREADS = 4


def default_workers() -> int:
    return 1


def granian_argv(host: str, port: int, threads: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "granian", "--interface", "wsgi", "gridgov.wsgi:application",
        "--host", host, "--port", str(port), "--workers", str(workers),
        "--blocking-threads", str(threads),
        "--static-path-route", settings.STATIC_URL.rstrip("/"),
        "--static-path-mount", str(settings.STATIC_ROOT),
    ]


class Command(BaseCommand):
    help = "启动 Web 服务（granian WSGI，静态文件由其直接提供）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="每个进程的阻塞线程数（1–4）")
        parser.add_argument("--workers", type=int, default=default_workers())

    def handle(self, *args, **options):
        argv = granian_argv(options["host"], options["port"], options["threads"], options["workers"])
        os.execv(argv[0], argv)
