"""The barest write the server can answer: the floor beside which case intake is read.

`open311_post` starts its server with `bench.floor_settings` as the settings module: the product's
own settings, middleware and URLs, plus one route, `POST /bench/floor`, that parses the JSON body
and inserts one row through the ORM, committed the fastest way the product knows — the same group
commit as the intake (gridgov/lib/groupcommit.py: the rows waiting at the same time share one
transaction, and each request is answered after its commit) — and does nothing else: no
authentication, no validation, no triage, no location. Its rate beside `/healthz` says how much of
the trivial endpoint's rate any durable write can reach on this server and machine. The rows are
process heartbeats named `bench-floor-…`, deleted after the run.
"""

import json
import uuid

from django.db import transaction
from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from gridgov.lib.groupcommit import GroupCommit
from gridgov.urls import urlpatterns as product_urlpatterns

ROW_PREFIX = "bench-floor-"


def _insert(names: list[str]) -> list[None]:
    from gridgov.core.models import Heartbeat

    now = timezone.now()
    with transaction.atomic():
        Heartbeat.objects.bulk_create([Heartbeat(name=name, beat_at=now) for name in names])
    return [None] * len(names)


_writer = GroupCommit("基准最简写入", _insert)


@csrf_exempt
def floor(request):
    body = json.loads(request.body)
    _writer.submit(f"{ROW_PREFIX}{uuid.uuid4().hex}")
    return JsonResponse({"ok": True, "fields": len(body)}, status=201)


urlpatterns = [*product_urlpatterns, path("bench/floor", floor)]
