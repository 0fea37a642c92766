"""This app's worker sweeps: functions of `now` returning how many rows they acted on."""

SWEEPS: list = []
