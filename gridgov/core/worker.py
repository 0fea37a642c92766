"""The background worker: sweeps deadline columns, one job at a time, idempotently.

Each app that has deadlines contributes a sweep function here. A sweep claims its rows with a
conditional UPDATE, so two workers running at once never act twice on the same row.
"""

import logging
import time

from django.utils import timezone

from gridgov.core.models import Heartbeat

log = logging.getLogger("gridgov.worker")


def sweeps() -> list:
    """The sweep functions, in order. Each takes `now` and returns how many rows it acted on."""
    from gridgov.cases.tasks import SWEEPS as cases
    from gridgov.hotline.tasks import SWEEPS as hotline
    from gridgov.notify.tasks import SWEEPS as notify
    from gridgov.sensors.tasks import SWEEPS as sensors

    return [*sensors, *cases, *hotline, *notify]


def beat(name: str = "worker") -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def run_once(now=None) -> dict:
    now = now or timezone.now()
    done = {}
    for sweep in sweeps():
        try:
            done[sweep.__name__] = sweep(now)
        except Exception:
            log.exception("sweep %s failed", sweep.__name__)
    beat()
    return done


def run_forever(interval: float) -> None:
    log.info("worker started, sweeping every %ss", interval)
    while True:
        started = time.monotonic()
        run_once()
        time.sleep(max(0.0, interval - (time.monotonic() - started)))
