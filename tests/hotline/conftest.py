"""Hotline fixtures: the case catalogue and personas, work-order rows, sheets, and a hotline webhook receiver.

The receiver is a real HTTP server on 127.0.0.1 in a thread; it answers with the statuses it is told to.
"""

import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from openpyxl import Workbook

from tests.cases.conftest import MONDAY, catalogue, department, people, report  # noqa: F401

HEADER = ["工单编号", "来电时间", "来电号码", "诉求内容", "地址", "分类", "办理时限"]


def order(number="GD2025030300001", **kw) -> dict:
    """One hotline work order as the API takes it (in grid A, building B-A-1, by its address)."""
    return {"number": number, "called_at": "2025-03-03 09:12:00", "phone": "13800001111",
            "content": "东城公租房1栋楼下垃圾堆了三天", "address": "界石镇东城社区东城公租房1栋", "category": "城乡建设",
            "due_at": "2025-03-07 18:00:00", **kw}


def xlsx(rows: list[list], header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sheet_row(number="GD2025030300001", **kw) -> list:
    values = {"number": number, "called_at": dt.datetime(2025, 3, 3, 9, 12), "phone": "13800001111",
              "content": "东城公租房1栋楼下垃圾堆了三天", "address": "界石镇东城社区东城公租房1栋", "category": "城乡建设",
              "due_at": dt.datetime(2025, 3, 7, 18, 0), **kw}
    return [values[k] for k in ("number", "called_at", "phone", "content", "address", "category", "due_at")]


class Receiver:
    """What the hotline's webhook got, and what it answers next (then 200 for ever)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.lock = threading.Lock()

    def handle(self, handler: BaseHTTPRequestHandler) -> int:
        body = handler.rfile.read(int(handler.headers["Content-Length"]))
        with self.lock:
            status = self.answers.pop(0) if self.answers else 200
            self.requests.append({"body": json.loads(body), "key": handler.headers["Idempotency-Key"],
                                  "type": handler.headers["Content-Type"], "status": status})
        return status


@pytest.fixture
def receiver(settings):
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            status = state.handle(self)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.GRIDGOV_HOTLINE_WEBHOOK = f"http://127.0.0.1:{server.server_port}/hotline/updates"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def centre(people):  # noqa: F811
    return people["centre"]


