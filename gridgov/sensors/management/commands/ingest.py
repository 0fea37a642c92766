import logging
import socket

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.core.worker import beat
from gridgov.sensors.ingest import BATCH_MAX, RECEIVE_MAXIMUM, SHARE_GROUP, Ingester


class Command(BaseCommand):
    help = "接收感知设备 MQTT 消息（共享订阅、持久会话、提交后确认）；可同时运行多个"

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None, help="MQTT 代理地址（默认 GRIDGOV_MQTT_HOST 或 127.0.0.1）")
        parser.add_argument("--port", type=int, default=None, help="端口（默认 GRIDGOV_MQTT_PORT 或 1883）")
        parser.add_argument("--client-id", default=None,
                            help="稳定的客户端 ID（默认 gridgov-ingest-<主机名>-<--index>）；重启时必须相同")
        parser.add_argument("--index", type=int, default=1, help="同一主机上的第几个接收进程")
        parser.add_argument("--group", default=SHARE_GROUP, help="共享订阅组名")
        parser.add_argument("--batch-ms", type=float, default=20, help="攒批时长（毫秒）")
        parser.add_argument("--batch-max", type=int, default=BATCH_MAX, help=f"每批最多条数（默认 {BATCH_MAX}）")
        parser.add_argument("--receive-maximum", type=int, default=RECEIVE_MAXIMUM,
                            help=f"允许代理同时下发而未确认的消息数（MQTT 5 Receive Maximum，默认 {RECEIVE_MAXIMUM}）")

    def handle(self, *args, **options):
        logging.getLogger("gridgov.ingest").setLevel(logging.INFO)
        client_id = options["client_id"] or f"gridgov-ingest-{socket.gethostname()}-{options['index']}"
        host = options["host"] or settings.GRIDGOV_MQTT_HOST
        port = options["port"] or settings.GRIDGOV_MQTT_PORT
        if not 1 <= options["batch_max"] <= options["receive_maximum"] <= 65535:
            raise CommandError("--batch-max 与 --receive-maximum 须满足 1 ≤ 每批条数 ≤ 未确认上限 ≤ 65535")
        try:
            ingester = Ingester(client_id=client_id, group=options["group"], batch_ms=options["batch_ms"],
                                batch_max=options["batch_max"], receive_maximum=options["receive_maximum"],
                                host=host, port=port).start()
        except OSError as exc:
            raise CommandError(f"无法连接 MQTT 代理 {host}:{port}（{exc}）：请先启动 Mosquitto") from None
        self.stdout.write(f"接收进程 {client_id} 已订阅：{', '.join(ingester.subscriptions())}")
        try:
            ingester.run_forever(heartbeat=lambda: beat(f"ingest:{client_id}"))
        except KeyboardInterrupt:
            ingester.stop()
