import json
from collections import Counter, defaultdict

from gridgov.cases.triage.catalogue import catalogue_load
from gridgov.cases.triage.corpus import CORPUS_DIR, corpus_pairs, corpus_rows, heldout_rows, split_of

RUN = 20  # characters: two independently written texts never share a run this long


def test_corpus_covers_every_leaf_with_at_least_2000_distinct_texts():
    rows = corpus_rows()
    assert len({r["text"] for r in rows}) == len(rows) >= 2000
    counts = Counter(r["category"] for r in rows)
    assert set(counts) == set(catalogue_load().leaves)
    assert min(counts.values()) >= 20


def test_each_file_holds_its_categorys_leaves_as_text_and_category_only():
    leaves = catalogue_load().leaves
    files = sorted(CORPUS_DIR.glob("*.jsonl"))
    assert [f.stem for f in files] == sorted({code[:2] for code in leaves})
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            row = json.loads(line)
            assert set(row) == {"text", "category"}, (path.name, number)
            assert row["category"] in leaves and row["category"].startswith(path.stem), (path.name, number)
            assert row["text"] == row["text"].strip() and row["text"], (path.name, number)


def test_no_two_texts_share_a_run_of_20_characters():
    """Written one by one, not composed from a template: the longest phrase two texts share is short."""
    owners = defaultdict(set)
    for i, (text, _) in enumerate(corpus_pairs()):
        for j in range(len(text) - RUN + 1):
            owners[text[j:j + RUN]].add(i)
    assert [run for run, ids in owners.items() if len(ids) > 1] == []


def test_the_split_is_fixed_by_the_text_and_a_fifth_is_test():
    rows = corpus_rows()
    assert all(r["split"] == split_of(r["text"]) for r in rows)
    assert split_of("小区门口井盖没了，很危险") == split_of("小区门口井盖没了，很危险")
    test = sum(r["split"] == "test" for r in rows)
    assert 0.15 < test / len(rows) < 0.25
    assert len(corpus_pairs("train")) + len(corpus_pairs("test")) == len(rows)
    assert {c for _, c in corpus_pairs("test")} == set(catalogue_load().leaves)


def test_texts_are_long_and_short_as_real_messages_are():
    lengths = sorted(len(text) for text, _ in corpus_pairs())
    assert lengths[0] <= 25 and lengths[-1] >= 250
    assert sum(n >= 100 for n in lengths) >= len(lengths) // 10


def test_heldout_is_separate_and_covers_every_leaf():
    rows = heldout_rows()
    corpus_texts = {text for text, _ in corpus_pairs()}
    assert len(rows) >= 200
    assert not corpus_texts & {r["text"] for r in rows}
    assert {r["category"] for r in rows} == set(catalogue_load().leaves)
    assert {r["kind"] for r in rows} == {"paraphrase", "novel", "fresh"}
