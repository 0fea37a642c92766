"""Text triage: a complaint's text → the most likely leaf categories of the catalogue.

`suggest(text, k=3)` uses the trained model when there is one (VAR_DIR/triage/model.pkl,
trained on the current catalogue) and the catalogue's keyword rules otherwise.
"""

from collections.abc import Sequence
from pathlib import Path

from .model import model_load, model_suggest_many
from .rules import rules_suggest
from .suggestion import Suggestion

__all__ = ["Suggestion", "suggest", "suggest_many"]


def suggest(text: str, k: int = 3, *, model_path: Path | None = None) -> list[Suggestion]:
    return suggest_many([text], k, model_path=model_path)[0]


def suggest_many(texts: Sequence[str], k: int = 3, *, model_path: Path | None = None) -> list[list[Suggestion]]:
    pipeline = model_load(model_path)
    if pipeline is None:
        return [rules_suggest(text, k) for text in texts]
    return model_suggest_many(pipeline, list(texts), k)
