"""A private Mosquitto broker on a free port, for reliability tests and benchmarks.

It persists to its own directory, so it can be stopped and started again with the queued
messages and sessions kept; the system broker is never touched.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import paho.mqtt.client as mqtt

CHUNK = 20_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on {host}:{port} within {timeout}s")


class Broker:
    """`with Broker() as broker:` … `broker.restart()` … ; persistence in a temp directory."""

    def __init__(self, *, port: int | None = None, extra: str = ""):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="gridgov-mosquitto-"))
        os.chmod(self.dir, 0o777)   # mosquitto drops root privileges to its own user
        self.conf = self.dir / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {self.dir}/\nautosave_interval 60\n"
            "max_queued_messages 0\nlog_dest none\n" + extra
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> "Broker":
        self.process = subprocess.Popen(["mosquitto", "-c", str(self.conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        """SIGTERM: Mosquitto writes its persistence file and exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Broker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()


def publish_all(*, port: int, messages: list[tuple[str, bytes]], host: str = "127.0.0.1",
                client_id: str = "", qos: int = 1) -> int:
    """Publish and wait until every message is acknowledged by the broker (PUBACK)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(host, port)
    client.loop_start()
    try:
        acked = 0
        for start in range(0, len(messages), CHUNK):      # packet ids are 16-bit: never queue more than that
            infos = [client.publish(topic, payload, qos=qos) for topic, payload in messages[start:start + CHUNK]]
            deadline = time.monotonic() + 120
            for info in infos:
                info.wait_for_publish(timeout=max(0.1, deadline - time.monotonic()))
            acked += sum(1 for info in infos if info.is_published())
        return acked
    finally:
        client.disconnect()
        client.loop_stop()


def forget_session(*, port: int, client_id: str, host: str = "127.0.0.1") -> None:
    """Remove a persistent session from the broker (connect clean, expiry 0, disconnect)."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    client.connect(host, port, clean_start=True)
    client.loop_start()
    client.disconnect()
    client.loop_stop()
