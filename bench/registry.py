"""The scenarios `gridgov bench` runs, in order.

A scenario is a module with `NAME` (str) and `run(*, quick: bool) -> list[Figure]`.
"""

SCENARIOS: list[str] = [
    "district", "locate", "search", "cases_measures", "open311_post", "triage_speed", "sensors_ingest", "devices_map",
]
