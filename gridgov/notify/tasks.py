"""This app's worker sweeps: functions of `now` returning how many rows they acted on."""

from gridgov.notify.services import outbox_sweep

SWEEPS: list = [outbox_sweep]
