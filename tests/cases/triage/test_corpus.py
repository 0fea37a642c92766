from collections import Counter

from gridgov.cases.triage.catalogue import catalogue_load
from gridgov.cases.triage.corpus import CORPUS_PATH, corpus_build, heldout_rows, read_jsonl


def test_corpus_file_is_what_the_pools_compose():
    assert read_jsonl(CORPUS_PATH) == corpus_build()


def test_corpus_covers_every_leaf_with_at_least_2000_distinct_messages():
    rows = read_jsonl(CORPUS_PATH)
    assert len({r["text"] for r in rows}) == len(rows) >= 2000
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == set(catalogue_load().leaves)
    assert min(counts.values()) >= 15
    assert {r["split"] for r in rows} == {"train", "test"}


def test_heldout_is_separate_and_covers_every_leaf():
    rows = heldout_rows()
    corpus_texts = {r["text"] for r in read_jsonl(CORPUS_PATH)}
    assert len(rows) >= 200
    assert not corpus_texts & {r["text"] for r in rows}
    assert {r["category"] for r in rows} == set(catalogue_load().leaves)
    assert {r["kind"] for r in rows} == {"paraphrase", "novel", "fresh"}
