"""The MQTT ingester: a persistent, shared, manually acknowledged subscription.

Messages are collected for a few milliseconds, read by their vendor adapter, committed in one
transaction, and only then acknowledged (PUBACK). A crash before the commit means the broker
sends them again; a crash after the commit but before the ack means a redelivery that the
(device, event id) unique constraint turns into a duplicate. Nothing is lost, nothing is doubled.
See docs/device-protocol.md.
"""

import logging
import queue
import threading
import time
from collections import Counter
from typing import NamedTuple

import paho.mqtt.client as mqtt
from django.db import close_old_connections
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from gridgov.sensors.adapters import Malformed, parse_message
from gridgov.sensors.services import Rejected, events_ingest

log = logging.getLogger("gridgov.ingest")

TOPICS = ("gridgov/v1/devices/+/events", "gridgov/v1/vendors/+/events")
SHARE_GROUP = "gridgov"
SESSION_EXPIRY_S = 7 * 24 * 3600
# The broker may have RECEIVE_MAXIMUM messages in flight to an ingester, four batches: while one
# batch is committed the next ones keep arriving. With a window of two batches the broker stopped
# sending during every commit and a draining ingester sat idle half the time.
BATCH_MAX = 4000
RECEIVE_MAXIMUM = 16000


class Message(NamedTuple):
    """What the network thread hands over: a tuple, as cheap as a message can be made."""

    mid: int
    qos: int
    topic: str
    payload: bytes


class Ingester:
    """One ingester: run one per process (two in one process share its GIL, so its one core).
    `client_id` must be stable across restarts: the broker keeps the session (subscription and
    unacknowledged messages) under it."""

    def __init__(self, *, client_id: str, host: str = "127.0.0.1", port: int = 1883, group: str = SHARE_GROUP,
                 root: str = "", batch_ms: float = 20, batch_max: int = BATCH_MAX, receive_maximum: int = RECEIVE_MAXIMUM):
        self.client_id, self.host, self.port, self.group, self.root = client_id, host, port, group, root
        self.batch_s, self.batch_max, self.receive_maximum = batch_ms / 1000, batch_max, receive_maximum
        self.inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.stats: Counter = Counter()
        self.after_commit = None        # tests: a hook between commit and acknowledgement
        self.subscribed = threading.Event()
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             protocol=mqtt.MQTTv5, manual_ack=True)
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = lambda *args: self.subscribed.set()
        client.reconnect_delay_set(min_delay=1, max_delay=5)
        return client

    def subscriptions(self) -> list[str]:
        return [f"$share/{self.group}/{self.root}{topic}" for topic in TOPICS]

    # network thread -------------------------------------------------------------------------

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.error("ingester %s: connection refused: %s", self.client_id, reason_code)
            return
        client.subscribe([(topic, SubscribeOptions(qos=1)) for topic in self.subscriptions()])
        self.stats["connects"] += 1

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        """Unacknowledged messages come again after the reconnect (and are stored once): say why."""
        self.stats["disconnects"] += 1
        if reason_code.is_failure:
            log.warning("ingester %s: disconnected: %s; reconnecting", self.client_id, reason_code)

    def _on_message(self, client, userdata, message):
        self.inbox.put(Message(message.mid, message.qos, message.topic, message.payload))

    # lifecycle --------------------------------------------------------------------------------

    def start(self) -> "Ingester":
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        properties.ReceiveMaximum = self.receive_maximum
        self.client.connect(self.host, self.port, keepalive=15, clean_start=False, properties=properties)
        self.client.loop_start()
        return self

    def stop(self) -> None:
        """A clean stop: the session stays on the broker for the next start."""
        self.client.disconnect()
        self.client.loop_stop()

    def crash(self) -> None:
        """Tests: die like a killed process: no DISCONNECT, no acks, in-memory messages lost."""
        self.client.loop_stop()
        sock = self.client.socket()
        if sock is not None:
            sock.close()
        self.inbox = queue.SimpleQueue()

    def run_forever(self, *, heartbeat=None) -> None:
        last_beat = 0.0
        while True:
            self.pump(timeout=1.0)
            if heartbeat and time.monotonic() - last_beat > 10:
                heartbeat()
                last_beat = time.monotonic()

    # processing -------------------------------------------------------------------------------

    def pump(self, *, timeout: float) -> int:
        """Wait up to `timeout` for a message, collect more for a few ms, commit, acknowledge."""
        batch = self._collect(timeout)
        if not batch:
            return 0
        self._commit(batch)
        if self.after_commit is not None:
            self.after_commit(batch)
        ack = self.client.ack
        for message in batch:
            ack(message.mid, message.qos)
        self.stats["messages"] += len(batch)
        return len(batch)

    def _collect(self, timeout: float) -> list[Message]:
        """What is waiting at once (a backlog fills a batch without waiting), then whatever
        arrives within batch_ms of the first message."""
        inbox, limit = self.inbox, self.batch_max
        try:
            batch = [inbox.get(timeout=timeout)]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.batch_s
        while len(batch) < limit:
            try:
                batch.append(inbox.get_nowait())
                continue
            except queue.Empty:
                pass
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(inbox.get(timeout=left))
            except queue.Empty:
                break
        return batch

    def _commit(self, batch: list[Message]) -> None:
        events, rejected = [], []
        for message in batch:
            try:
                events.extend(parse_message(message.topic[len(self.root):], message.payload))
            except Malformed as exc:
                log.warning("rejected %s: %s %s", message.topic, exc.reason, exc)
                rejected.append(Rejected(exc.reason, str(exc), exc.serial, message.topic,
                                         message.payload[:1000].decode("utf-8", "replace")))
        for attempt in range(1, 6):
            try:
                outcomes = events_ingest(events=events, source="mqtt", rejected=rejected)
                break
            except Exception:
                log.exception("ingest batch failed (attempt %s); retrying", attempt)
                close_old_connections()
                time.sleep(min(5.0, 0.2 * 2 ** attempt))
        else:
            raise RuntimeError("ingest batch failed five times; stopping without acknowledging")
        self.stats.update(outcome.status for outcome in outcomes)
        self.stats["rejected"] += len(rejected)
