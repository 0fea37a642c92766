"""One measured figure, printed beside the ceiling it is compared with."""

from dataclasses import asdict, dataclass


@dataclass
class Figure:
    scenario: str           # e.g. "locate"
    name: str               # what is measured, in Chinese or plain words: "定位 points/s"
    value: float
    unit: str               # "points/s", "ms", "rows/s" …
    ceiling: float | None   # the same work done the barest way, measured in the same run
    ceiling_name: str = ""  # what the ceiling is: "bare STRtree query"
    target: str = ""        # the target in words: "≥ 40% of ceiling", "p95 < 200 ms"
    ok: bool | None = None  # whether the target is met (None: no target)

    def as_dict(self) -> dict:
        return asdict(self)
