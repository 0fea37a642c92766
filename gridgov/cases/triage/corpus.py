"""The labelled corpus: complaint texts written by hand for this project, one file per category.

`data/corpus/NN.jsonl` holds, for the leaves of first-level category NN, lines of
`{"text": "…", "category": "<leaf code>"}`: each text written on its own, in the manner of real
12345 messages — hotline operators' transcriptions, residents' app and WeChat reports, Chongqing
dialect, one-liners and long letters — with its own place, time and history, no template, no slots.

The split is fixed by the text itself: a text whose SHA-1 falls in the last fifth is in the test
split, the rest train. Adding or editing a text never moves another one between splits.

`data/heldout.jsonl` is an older set of short colloquial messages written separately, never used for
training. Messages by real residents are not kept here (they are third-party text): `gridgov triage
evaluate --file` reads any such set from outside the tree (docs/triage.md).
"""

import hashlib
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CORPUS_DIR = DATA_DIR / "corpus"
HELDOUT_PATH = DATA_DIR / "heldout.jsonl"
TEST_SHARE = 5  # one text in five is in the test split


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def split_of(text: str) -> str:
    digest = int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if digest % TEST_SHARE == TEST_SHARE - 1 else "train"


def corpus_rows() -> list[dict]:
    """Every corpus row, file by file in code order, each with its `split`."""
    rows = [row for path in sorted(CORPUS_DIR.glob("[0-9][0-9].jsonl")) for row in read_jsonl(path)]
    return [{**row, "split": split_of(row["text"])} for row in rows]


def corpus_pairs(split: str | None = None) -> list[tuple[str, str]]:
    """(text, leaf code) pairs of the corpus, of one split ("train"/"test") or all."""
    return [(r["text"], r["category"]) for r in corpus_rows() if split is None or r["split"] == split]


def heldout_rows() -> list[dict]:
    return read_jsonl(HELDOUT_PATH)
