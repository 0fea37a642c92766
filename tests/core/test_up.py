"""`gridgov up` in demo mode keeps the sensor processes beside the web server, waiting for the MQTT broker."""

import io
import socket
import sys
import threading

from gridgov.core.management.commands.up import Command, Kept, broker_up


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_extra_processes_outside_demo_mode(settings):
    settings.DEMO = False
    assert Command().extra_processes() == []


def test_a_missing_broker_is_said_in_chinese_and_nothing_is_started():
    port, out = _free_port(), io.StringIO()
    assert broker_up("127.0.0.1", port) is False
    kept = Kept("传感器消息接收", [sys.executable, "-c", "raise SystemExit(3)"], "127.0.0.1", port, out).start()
    try:
        for _ in range(50):
            if out.getvalue():
                break
            threading.Event().wait(0.1)
    finally:
        kept.terminate()
    assert out.getvalue() == (f"MQTT 代理 127.0.0.1:{port} 未运行：传感器消息接收进程暂不启动，每 10 秒重试一次"
                              f"（请启动 Mosquitto）")
    assert kept.process is None


def test_with_the_broker_up_the_process_runs_and_a_clean_exit_is_not_restarted():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port, out = server.getsockname()[1], io.StringIO()
        kept = Kept("传感器模拟", [sys.executable, "-c", "pass"], "127.0.0.1", port, out)
        kept._loop()  # returns: the child exited with 0
    assert (kept.process.returncode, out.getvalue()) == (0, "")
