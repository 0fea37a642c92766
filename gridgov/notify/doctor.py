"""This app's section of `gridgov doctor --json`."""


def section() -> dict:
    return {}
