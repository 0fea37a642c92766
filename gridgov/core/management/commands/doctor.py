import json

from django.core.management.base import BaseCommand

from gridgov.core.doctor import report


class Command(BaseCommand):
    help = "检查平台状态：数据库、迁移、后台进程心跳与数据量（--json 输出一个 JSON 对象）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON")

    def handle(self, *args, json_output=False, **options):
        result = report()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, sort_keys=True))
            return
        for section, value in result.items():
            self.stdout.write(f"{section}: {json.dumps(value, ensure_ascii=False)}")
