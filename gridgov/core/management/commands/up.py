import os
import socket
import subprocess
import sys
import threading

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gridgov.core.management.commands.serve import DEFAULT_THREADS, default_workers, granian_argv

RETRY_S = 10


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
        if settings.DEMO:
            # The simulator runs the clock 60× faster; the care chain's waiting time shrinks with it,
            # so that a care case reaches the grid worker's phone a few minutes after start.
            os.environ.setdefault("GRIDGOV_CARE_ACK_MINUTES", "2")
        children = [subprocess.Popen([sys.executable, "-m", "gridgov", "worker"])]
        children += self.extra_processes()
        self.stdout.write(self.style.SUCCESS(f"\n基层智治平台已启动：http://{options['host']}:{options['port']}/"))
        call_command("demo", logins=True)
        try:
            subprocess.run(granian_argv(options["host"], options["port"], DEFAULT_THREADS, default_workers()),
                           check=False)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()

    def extra_processes(self) -> list:
        """In demo mode: the sensor ingester and the simulator, each kept running beside the web server.

        Both need the MQTT broker. When it is not running they wait for it (one Chinese message),
        and when they fail they are restarted after RETRY_S seconds; the web server is not affected.
        """
        if not settings.DEMO:
            return []
        host, port = settings.GRIDGOV_MQTT_HOST, settings.GRIDGOV_MQTT_PORT
        return [Kept("传感器消息接收", [sys.executable, "-m", "gridgov", "ingest"], host, port, self.stderr).start(),
                Kept("传感器模拟", [sys.executable, "-m", "gridgov", "simulate", "--setup", "--speed", "60"],
                     host, port, self.stderr).start()]


def broker_up(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


class Kept:
    """A child process started once the MQTT broker answers and restarted when it fails; terminate() ends it."""

    def __init__(self, name: str, argv: list[str], host: str, port: int, out):
        self.name, self.argv, self.host, self.port, self.out = name, argv, host, port, out
        self.stopped = threading.Event()
        self.process: subprocess.Popen | None = None

    def start(self) -> "Kept":
        threading.Thread(target=self._loop, name=self.name, daemon=True).start()
        return self

    def _loop(self) -> None:
        warned = False
        while not self.stopped.is_set():
            if not broker_up(self.host, self.port):
                if not warned:
                    self.out.write(f"MQTT 代理 {self.host}:{self.port} 未运行：{self.name}进程暂不启动，"
                                   f"每 {RETRY_S} 秒重试一次（请启动 Mosquitto）")
                    warned = True
                self.stopped.wait(RETRY_S)
                continue
            if warned:
                self.out.write(f"MQTT 代理 {self.host}:{self.port} 已可连接，启动{self.name}进程")
                warned = False
            self.process = subprocess.Popen(self.argv)
            code = self.process.wait()
            if code == 0 or self.stopped.is_set():
                return
            self.out.write(f"{self.name}进程异常退出（返回码 {code}），{RETRY_S} 秒后重启")
            self.stopped.wait(RETRY_S)

    def terminate(self) -> None:
        self.stopped.set()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
