"""This app's section of `gridgov doctor --json`."""


def section() -> dict:
    from gridgov.sensors.selectors import device_health

    return device_health()
