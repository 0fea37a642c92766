"""This app's worker sweeps: functions of `now` returning how many rows they acted on."""

from gridgov.sensors.services import (
    alarms_sweep_case_due,
    alarms_sweep_reminders,
    devices_sweep_activity,
    devices_sweep_battery,
    devices_sweep_silent,
)

SWEEPS: list = [devices_sweep_activity, devices_sweep_silent, devices_sweep_battery,
                alarms_sweep_reminders, alarms_sweep_case_due]
