"""The barest write the server can answer: the floor beside which case intake is read.

`open311_post` starts its server with `bench.floor_settings` as the settings module: the product's own
settings, middleware and URLs, plus one route, `POST /bench/floor`, that parses the JSON body and
inserts one row through the ORM in its own transaction (what any endpoint that stores anything
does at least), and nothing else — no authentication, no validation, no triage, no location. Its
rate beside `/healthz` says how much of the trivial endpoint's rate any write can reach on this
server and machine. The rows are process heartbeats named `bench-floor-…`, deleted after the run.
"""

import json
import uuid

from django.http import JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from gridgov.urls import urlpatterns as product_urlpatterns

ROW_PREFIX = "bench-floor-"


@csrf_exempt
def floor(request):
    from gridgov.core.models import Heartbeat

    body = json.loads(request.body)
    Heartbeat.objects.create(name=f"{ROW_PREFIX}{uuid.uuid4().hex}", beat_at=timezone.now())
    return JsonResponse({"ok": True, "fields": len(body)}, status=201)


urlpatterns = [*product_urlpatterns, path("bench/floor", floor)]
