from django.test import Client

from gridgov.notify.services import outbox_enqueue


def test_my_messages_only_mine(persona):
    outbox_enqueue(key="a", channel="console", template="case_accept", text="事件#1已受理", user=persona["resident"])
    outbox_enqueue(key="b", channel="console", template="case_accept", text="事件#2已受理", user=persona["worker_a"])
    client = Client()
    client.force_login(persona["resident"])
    assert [m["text"] for m in client.get("/api/v1/notify/mine").json()] == ["事件#1已受理"]
    assert Client().get("/api/v1/notify/mine").status_code == 401
