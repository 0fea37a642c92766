import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_ingest_without_a_broker_says_so_in_chinese_and_fails():
    with pytest.raises(CommandError) as raised:
        call_command("ingest", "--port", "1")
    assert str(raised.value).startswith("无法连接 MQTT 代理 127.0.0.1:1（")
    assert str(raised.value).endswith("）：请先启动 Mosquitto")


def test_ingest_refuses_a_batch_larger_than_its_receive_window():
    with pytest.raises(CommandError) as raised:
        call_command("ingest", "--port", "1", "--batch-max", "5000", "--receive-maximum", "4000")
    assert str(raised.value) == "--batch-max 与 --receive-maximum 须满足 1 ≤ 每批条数 ≤ 未确认上限 ≤ 65535"
