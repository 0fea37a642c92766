"""`gridgov open311 key create ORGANISATION`: create or renew an organisation's API key, printed alone last."""

from django.core.management.base import BaseCommand, CommandError

from gridgov.core.errors import DomainError
from gridgov.open311.services import client_key_create


class Command(BaseCommand):
    help = "Open311 接入机构：gridgov open311 key create 机构名称（新建或更换密钥，密钥只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["key"])
        parser.add_argument("action", choices=["create"])
        parser.add_argument("organisation")

    def handle(self, *args, **options):
        try:
            client, key = client_key_create(organisation=options["organisation"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已为“{client.organisation}”签发 Open311 api_key（只显示这一次，旧密钥已失效）：")
        self.stdout.write(key)
