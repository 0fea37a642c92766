import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

# Threads per worker. An intake request waits for its process's group commit without holding the GIL, so more
# threads make bigger batches: measured here, 16 threads doubled the intake rate of 4 (and 32 added nothing).
# Each thread keeps its own database connection: 2 workers × (16 + 2 writers) = 36 on PostgreSQL.
DEFAULT_THREADS = 16


def default_workers() -> int:
    """One worker per core: each has its own GIL; the bench (bench/open311_post.py) runs this default."""
    return os.cpu_count() or 1


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
        parser.add_argument("--threads", type=int, default=DEFAULT_THREADS, help="每个进程的阻塞线程数（默认16，各占一个数据库连接）")
        parser.add_argument("--workers", type=int, default=default_workers(), help="进程数（默认每核一个）")

    def handle(self, *args, **options):
        argv = granian_argv(options["host"], options["port"], options["threads"], options["workers"])
        os.execv(argv[0], argv)
