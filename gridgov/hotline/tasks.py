"""This app's worker sweeps: collect changes of hotline cases, then push them to the hotline's webhook."""

from gridgov.hotline.services import hotline_collect_sweep, hotline_deliver_sweep

SWEEPS: list = [hotline_collect_sweep, hotline_deliver_sweep]
