import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_ingest_without_a_broker_says_so_in_chinese_and_fails():
    with pytest.raises(CommandError) as raised:
        call_command("ingest", "--port", "1")
    assert str(raised.value).startswith("无法连接 MQTT 代理 127.0.0.1:1（")
    assert str(raised.value).endswith("）：请先启动 Mosquitto")
