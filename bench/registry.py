"""The scenarios `gridgov bench` runs, in order.

A scenario is a module with `NAME` (str) and `run(*, quick: bool) -> list[Figure]`.
"""

SCENARIOS: list[str] = ["sensors_ingest"]
