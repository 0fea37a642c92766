"""Accuracy of triage on labelled texts: leaf, parent category and first-level class.

Top-1 is the first suggestion; top-3 counts a hit when the true leaf (or its parent category,
or its first-level class) is among the three suggestions' leaves (or their parents, classes).
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .catalogue import Catalogue, catalogue_load
from .suggestion import Suggestion

Suggester = Callable[[Sequence[str]], list[list[Suggestion]]]
NONE = "（无）"


@dataclass
class Evaluation:
    name: str
    count: int = 0
    hits: Counter = field(default_factory=Counter)
    confusion: Counter = field(default_factory=Counter)  # (true first level, predicted) → count

    def rate(self, key: str) -> float:
        return self.hits[key] / self.count if self.count else 0.0


def evaluation_run(name: str, suggester: Suggester, rows: Sequence[tuple[str, str]],
                   *, catalogue: Catalogue | None = None) -> Evaluation:
    catalogue = catalogue or catalogue_load()
    result = Evaluation(name=name, count=len(rows))
    suggestions = suggester([text for text, _ in rows])
    for (_, code), top in zip(rows, suggestions, strict=True):
        _score(result, catalogue, catalogue.leaf(code), top[:3])
    return result


def _score(result: Evaluation, catalogue: Catalogue, truth, top: list[Suggestion]) -> None:
    leaves = [catalogue.leaf(s.category_code) for s in top]
    for key, attr in (("leaf", "code"), ("category", "parent_code"), ("first_level", "first_level")):
        values = [getattr(leaf, attr) for leaf in leaves]
        result.hits[f"{key}@1"] += bool(values) and values[0] == getattr(truth, attr)
        result.hits[f"{key}@3"] += getattr(truth, attr) in values
    result.confusion[(truth.first_level, leaves[0].first_level if leaves else NONE)] += 1


def evaluation_lines(result: Evaluation) -> list[str]:
    lines = [f"== {result.name}（{result.count} 条）"]
    for key, label in (("leaf", "二级类别"), ("category", "一级类别"), ("first_level", "12345一级分类")):
        lines.append(f"{label} top-1 {result.rate(key + '@1'):.1%}  top-3 {result.rate(key + '@3'):.1%}")
    return lines


def confusion_lines(result: Evaluation) -> list[str]:
    """The first-level confusion table: one row per true class, columns predicted classes."""
    labels = sorted({t for t, _ in result.confusion} | {p for _, p in result.confusion})
    short = [label[:4] for label in labels]
    lines = ["真实\\预测\t" + "\t".join(short)]
    for true in labels:
        if any(t == true for t, _ in result.confusion):
            lines.append(true[:4] + "\t" + "\t".join(str(result.confusion[(true, p)]) for p in labels))
    return lines
