"""Cold-start triage: score leaf categories by the catalogue's keywords found in the text.

A keyword hit scores its length (longer keywords are more specific); p is a leaf's share of
all the scores, so the ps of one text sum to at most 1. Only leaves with a hit are returned.
"""

from .catalogue import Catalogue, catalogue_load
from .suggestion import Suggestion
from .text import text_normalise


def rules_scores(text: str, catalogue: Catalogue) -> dict[str, int]:
    text, scores = text_normalise(text), {}
    for code, leaf in catalogue.leaves.items():
        score = sum(len(word) for word in leaf.keywords if word in text)
        if score:
            scores[code] = score
    return scores


def rules_suggest(text: str, k: int = 3, *, catalogue: Catalogue | None = None) -> list[Suggestion]:
    catalogue = catalogue or catalogue_load()
    scores = rules_scores(text, catalogue)
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:k]
    return [Suggestion.of(catalogue.leaf(code), score / total) for code, score in ranked]
