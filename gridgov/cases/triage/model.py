"""The trained triage model: character n-gram TF-IDF and a logistic regression over leaf codes.

Trained on the corpus plus optional extra (text, leaf code) pairs — closed cases and
dispatchers' corrections — and saved with joblib under VAR_DIR/triage/model.pkl together with
the catalogue's version. A model trained on another catalogue version is not used.
"""

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import joblib
import numpy as np
from django.conf import settings
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import Pipeline

from .catalogue import Catalogue, catalogue_load
from .corpus import corpus_pairs
from .suggestion import Suggestion
from .text import text_normalise

FORMAT = 1
log = logging.getLogger(__name__)
_loaded: dict[Path, tuple[tuple, Pipeline | None]] = {}


@dataclass(frozen=True)
class TrainResult:
    path: Path
    corpus_count: int
    extra_count: int
    dropped_count: int  # extra pairs whose code is not a leaf of the catalogue
    category_count: int


def model_path() -> Path:
    return Path(settings.VAR_DIR) / "triage" / "model.pkl"


def model_build() -> Pipeline:
    return Pipeline([
        ("tfidf", TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2,
                                  preprocessor=text_normalise)),
        # Logistic regression fitted by SGD: on this corpus as accurate as lbfgs at C=20 and
        # five times faster to train (6 s against 30 s on two cores); fixed seed, fixed epochs.
        ("clf", SGDClassifier(loss="log_loss", alpha=1e-5, max_iter=10, tol=None, random_state=0)),
    ])


def model_fit(pairs: Sequence[tuple[str, str]]) -> Pipeline:
    pipeline = model_build()
    pipeline.fit([text for text, _ in pairs], [code for _, code in pairs])
    return pipeline


def model_train(*, extra: Iterable[tuple[str, str]] = (), split: str | None = None,
                path: Path | None = None) -> TrainResult:
    """Train on the corpus (one split or all) plus `extra`, and save the model to `path`."""
    catalogue = catalogue_load()
    corpus = corpus_pairs(split)
    extra = list(extra)
    kept = [(text, code) for text, code in extra if code in catalogue.leaves and text.strip()]
    pipeline = model_fit(corpus + kept)
    path = path or model_path()
    model_save(pipeline, catalogue=catalogue, path=path)
    return TrainResult(path=path, corpus_count=len(corpus), extra_count=len(kept),
                       dropped_count=len(extra) - len(kept), category_count=len(pipeline.classes_))


def model_save(pipeline: Pipeline, *, catalogue: Catalogue, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    joblib.dump({"format": FORMAT, "catalogue_version": catalogue.version, "pipeline": pipeline,
                 "trained_at": dt.datetime.now(dt.UTC).isoformat()}, tmp)
    tmp.replace(path)


def model_load(path: Path | None = None) -> Pipeline | None:
    """The saved model, or None when there is none or it was trained on another catalogue."""
    path = path or model_path()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    # model_save replaces the file, so a retrained model has another inode even within one mtime tick.
    version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
    cached = _loaded.get(path)
    if cached and cached[0] == version:
        return cached[1]
    _loaded[path] = (version, _read(path))
    return _loaded[path][1]


def _read(path: Path) -> Pipeline | None:
    """A broken or stale model file must not stop intake: warn, and let the rules answer."""
    try:
        saved = joblib.load(path)
    except Exception as exc:  # unpickling can raise nearly anything
        log.warning("分类模型文件 %s 无法读取（%s），改用关键词规则", path, exc)
        return None
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        log.warning("分类模型文件 %s 格式不符，改用关键词规则", path)
        return None
    if saved.get("catalogue_version") != catalogue_load().version:
        log.warning("分类模型 %s 按另一版类别目录训练，改用关键词规则；请重新训练", path)
        return None
    return _fast(saved["pipeline"])


def _fast(pipeline: Pipeline) -> Pipeline:
    """The same model with its weights stored column-major.

    The linear model multiplies the text's sparse vector by `coef_.T`; scipy needs that operand
    C-contiguous and copied the whole row-major matrix (classes × n-grams, about 25 MB) on every call,
    2 ms of a 2.5 ms suggestion. Column-major weights make `coef_.T` a view: the same numbers, the same
    arithmetic, the same probabilities, without the copy.
    """
    clf = pipeline[-1]
    if getattr(clf, "coef_", None) is not None and clf.coef_.ndim == 2:
        clf.coef_ = np.asfortranarray(clf.coef_)
    return pipeline


def model_top(pipeline: Pipeline, texts: Sequence[str], k: int) -> list[list[tuple[str, float]]]:
    """The k most probable leaf codes of each text, with their probabilities, best first."""
    proba = pipeline.predict_proba(texts)
    k = min(k, proba.shape[1])
    top = np.argsort(-proba, axis=1)[:, :k]
    classes = pipeline.classes_
    return [[(classes[j], float(row[j])) for j in idx] for row, idx in zip(proba, top, strict=True)]


def model_suggest_many(pipeline: Pipeline, texts: Sequence[str], k: int) -> list[list[Suggestion]]:
    catalogue = catalogue_load()
    return [[Suggestion.of(catalogue.leaf(code), p) for code, p in row if code in catalogue.leaves]
            for row in model_top(pipeline, texts, k)]
