from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gridgov.sensors import simulate


class Command(BaseCommand):
    help = "模拟独居老人家中的门磁与烟感，向 MQTT 发布心跳、电量与开关门消息（演示用）"

    def add_arguments(self, parser):
        parser.add_argument("--setup", action="store_true", help="先为独居老人登记关爱设置、门磁和烟感")
        parser.add_argument("--speed", type=float, default=60, help="时钟倍速：60 表示 1 分钟走完 1 小时的作息")
        parser.add_argument("--alert-in", type=float, default=120, help="目标老人多少秒后满 24 小时未开门")
        parser.add_argument("--target", type=int, default=None, help="目标老人的居民 ID（默认第一位）")
        parser.add_argument("--duration", type=float, default=None, help="运行秒数（默认一直运行）")
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args, **options):
        if options["setup"]:
            self.stdout.write(f"新登记设备 {simulate.setup()} 台")
        devices = simulate.demo_devices()
        if not devices:
            self.stdout.write("没有独居老人的门磁或烟感；请先加载演示数据并使用 --setup")
            return
        self.stdout.write(f"模拟 {len(devices)} 台设备，倍速 {options['speed']:g}")
        plan = simulate.Plan(speed=options["speed"], alert_in_s=options["alert_in"],
                             target_resident_id=options["target"])
        host = options["host"] or settings.GRIDGOV_MQTT_HOST
        port = options["port"] or settings.GRIDGOV_MQTT_PORT
        try:
            sent = simulate.run(devices=devices, plan=plan, duration_s=options["duration"], log=self.stdout.write,
                                host=host, port=port)
        except OSError as exc:
            raise CommandError(f"无法连接 MQTT 代理 {host}:{port}（{exc}）：请先启动 Mosquitto") from None
        self.stdout.write(f"已发布 {sent} 条消息")
