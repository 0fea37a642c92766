import io

from django.core.management import call_command

from gridgov.open311.models import Client
from gridgov.open311.selectors import client_for_key


def test_key_create_prints_the_key_alone_on_its_last_line(db):
    out = io.StringIO()
    call_command("open311", "key", "create", "社区随手拍", stdout=out)
    key = out.getvalue().splitlines()[-1]
    assert client_for_key(key) == Client.objects.get(organisation="社区随手拍")
    call_command("open311", "key", "create", "社区随手拍", stdout=io.StringIO())
    assert client_for_key(key) is None
    assert Client.objects.count() == 1
