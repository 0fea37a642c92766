import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from gridgov.notify import services
from gridgov.notify.models import Outbox


class Gateway:
    """A real local HTTP server recording requests; it answers with `self.answers` in turn."""

    def __init__(self):
        self.requests, self.answers = [], []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append((self.path, body))
                status, answer = gateway.answers.pop(0) if gateway.answers else (200, {"code": 0, "errcode": 0})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(answer).encode())

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    server = Gateway()
    yield server
    server.close()


def enqueue(key="k1", channel="console", address=""):
    return services.outbox_enqueue(key=key, channel=channel, template="case_accept", text="事件#1已受理",
                                   params={"case": 1}, address=address)


def later(minutes=0):
    return timezone.now() + dt.timedelta(minutes=minutes)


def test_same_key_is_one_message(db):
    first, again = enqueue(), enqueue()
    assert first.pk == again.pk and Outbox.objects.count() == 1


def test_a_switched_off_channel_falls_back_to_the_console(db, settings):
    settings.GRIDGOV_SMS_URL = ""
    assert enqueue(channel="sms", address="13912345678").channel == "console"


def test_console_sends_once(db):
    enqueue()
    assert services.outbox_sweep(later()) == 1
    assert services.outbox_sweep(later(60)) == 0
    message = Outbox.objects.get()
    assert (message.state, message.attempts) == ("sent", 1)


def test_sms_goes_to_the_gateway(db, settings, gateway):
    settings.GRIDGOV_SMS_URL = gateway.url + "/sms"
    enqueue(channel="sms", address="13912345678")
    assert services.outbox_sweep(later()) == 1
    assert gateway.requests == [("/sms", {"phone": "13912345678", "template": "case_accept", "params": {"case": 1},
                                          "text": "事件#1已受理"})]


def test_failures_back_off_exponentially_then_succeed(db, settings, gateway):
    settings.GRIDGOV_SMS_URL = gateway.url + "/sms"
    gateway.answers = [(200, {"code": 5, "msg": "busy"}), (500, {}), (200, {"code": 0})]
    message = enqueue(channel="sms", address="13912345678")
    start = timezone.now()
    assert services.outbox_sweep(start) == 0
    message.refresh_from_db()
    assert (message.state, message.attempts, message.next_attempt_at) == ("pending", 1, start + dt.timedelta(seconds=30))
    assert "busy" in message.last_error
    assert services.outbox_sweep(start + dt.timedelta(seconds=29)) == 0  # not yet due
    assert services.outbox_sweep(start + dt.timedelta(seconds=30)) == 0
    message.refresh_from_db()
    assert (message.attempts, message.next_attempt_at) == (2, start + dt.timedelta(seconds=90))
    assert services.outbox_sweep(start + dt.timedelta(seconds=90)) == 1
    assert len(gateway.requests) == 3


def test_gives_up_after_the_last_attempt(db, settings, gateway):
    settings.GRIDGOV_WECOM_WEBHOOK = gateway.url + "/robot"
    settings.GRIDGOV_NOTIFY_MAX_ATTEMPTS = 2
    gateway.answers = [(200, {"errcode": 93000})] * 2
    enqueue(channel="wecom")
    services.outbox_sweep(later())
    services.outbox_sweep(later(10))
    message = Outbox.objects.get()
    assert (message.state, message.attempts) == ("failed", 2)
    assert services.outbox_sweep(later(600)) == 0
    assert gateway.requests[0] == ("/robot", {"msgtype": "text", "text": {"content": "事件#1已受理"}})


def test_backoff_doubles_and_caps():
    assert [services.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert services.backoff(30) == dt.timedelta(hours=6)


def test_a_claimed_message_is_not_sent_by_a_second_worker(db):
    message = enqueue()
    assert services._claim(message.pk, later()) is True
    assert services._claim(message.pk, later()) is False
    assert services.outbox_sweep(later()) == 0
