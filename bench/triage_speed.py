"""Triage speed: texts classified per second, against the bare vectorizer + predict_proba.

The texts are the corpus and held-out messages repeated to 10,000 (2,000 with --quick); the
model is trained on the corpus into a temporary directory first. Target: 10,000 texts in
under 5 s, i.e. ≥ 2,000 texts/s for suggest in batch.
"""

import tempfile
import time
from pathlib import Path

from bench.figures import Figure

NAME = "triage_speed"
TARGET_PER_S = 2000.0


def _texts(n: int) -> list[str]:
    from gridgov.cases.triage.corpus import corpus_pairs, heldout_rows

    pool = [text for text, _ in corpus_pairs()] + [row["text"] for row in heldout_rows()]
    return [pool[i % len(pool)] for i in range(n)]


def _rate(n: int, fn, repeat: int = 3) -> float:
    """Texts per second of the best of `repeat` runs (the machine may be shared)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return n / best


def run(*, quick: bool) -> list[Figure]:
    from gridgov.cases.triage import suggest_many
    from gridgov.cases.triage.model import model_load, model_train
    from gridgov.cases.triage.rules import rules_suggest

    texts = _texts(2000 if quick else 10000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.pkl"
        start = time.perf_counter()
        model_train(path=path)
        train_s = time.perf_counter() - start
        pipeline = model_load(path)
        suggest_many(texts[:10], model_path=path)  # warm the lazy load
        ceiling = _rate(len(texts), lambda: pipeline[-1].predict_proba(pipeline[0].transform(texts)))
        batch = _rate(len(texts), lambda: suggest_many(texts, 3, model_path=path))
    rules = _rate(len(texts), lambda: [rules_suggest(text) for text in texts])
    return [
        Figure(NAME, f"suggest_many top-3（{len(texts)} 条）", round(batch), "texts/s", round(ceiling),
               "bare tfidf.transform + predict_proba", f"≥ {TARGET_PER_S:.0f} texts/s（1 万条 < 5 s）",
               batch >= TARGET_PER_S),
        Figure(NAME, "关键词规则冷启动", round(rules), "texts/s", None),
        Figure(NAME, "训练（全部语料）", round(train_s, 1), "s", None),
    ]


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    django.setup()
    for figure in run(quick=False):
        print(figure.as_dict())
