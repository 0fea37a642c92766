"""Accuracy of triage on labelled texts: leaf, parent category and first-level class.

Top-1 is the first suggestion; top-3 counts a hit when the true leaf (or its parent category,
or its first-level class) is among the three suggestions' leaves (or their parents, classes).
A row is (text, leaf code) or (text, leaf code, first-level class); a row whose leaf code is
empty is labelled with its first-level class only (a message no leaf of the catalogue fits) and
counts towards the first-level rates alone.
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
    labelled: Counter = field(default_factory=Counter)  # "leaf" / "category" / "first_level" → rows with that label
    hits: Counter = field(default_factory=Counter)
    confusion: Counter = field(default_factory=Counter)  # (true first level, predicted) → count

    def rate(self, key: str) -> float:
        whole = self.labelled[key.split("@")[0]]
        return self.hits[key] / whole if whole else 0.0


LEVELS = (("leaf", "code"), ("category", "parent_code"), ("first_level", "first_level"))


def evaluation_run(name: str, suggester: Suggester, rows: Sequence[tuple[str, ...]],
                   *, catalogue: Catalogue | None = None) -> Evaluation:
    catalogue = catalogue or catalogue_load()
    result = Evaluation(name=name, count=len(rows))
    suggestions = suggester([row[0] for row in rows])
    for row, top in zip(rows, suggestions, strict=True):
        _score(result, catalogue, _truth(catalogue, *row[1:]), top[:3])
    return result


def _truth(catalogue: Catalogue, code: str, first_level: str = "") -> dict[str, str]:
    """The true label at each level; a row without a leaf knows its first-level class only."""
    if not code:
        return {"first_level": first_level}
    leaf = catalogue.leaf(code)
    return {key: getattr(leaf, attr) for key, attr in LEVELS}


def _score(result: Evaluation, catalogue: Catalogue, truth: dict[str, str], top: list[Suggestion]) -> None:
    leaves = [catalogue.leaf(s.category_code) for s in top]
    for key, attr in LEVELS:
        if key not in truth:
            continue
        values = [getattr(leaf, attr) for leaf in leaves]
        result.labelled[key] += 1
        result.hits[f"{key}@1"] += bool(values) and values[0] == truth[key]
        result.hits[f"{key}@3"] += truth[key] in values
    result.confusion[(truth["first_level"], leaves[0].first_level if leaves else NONE)] += 1


def evaluation_lines(result: Evaluation) -> list[str]:
    lines = [f"== {result.name}（{result.count} 条）"]
    for key, label in (("leaf", "二级类别"), ("category", "一级类别"), ("first_level", "12345一级分类")):
        if not result.labelled[key]:
            continue
        of = "" if result.labelled[key] == result.count else f"（其中 {result.labelled[key]} 条有此级标注）"
        lines.append(f"{label} top-1 {result.rate(key + '@1'):.1%}  top-3 {result.rate(key + '@3'):.1%}{of}")
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
