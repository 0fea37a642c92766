from gridgov.cases.triage.catalogue import catalogue_load
from gridgov.cases.triage.evaluate import confusion_lines, evaluation_lines, evaluation_run
from gridgov.cases.triage.suggestion import Suggestion


def _fixed(codes_per_text):
    catalogue = catalogue_load()
    return lambda texts: [[Suggestion.of(catalogue.leaf(c), 0.1) for c in codes] for codes in codes_per_text]


def test_evaluation_counts_leaf_category_and_first_level_hits():
    rows = [("a", "0101"), ("b", "0102"), ("c", "0601"), ("d", "0801")]
    suggester = _fixed([["0101", "0102"], ["0101", "0102"], ["0501", "0103", "0601"], []])
    result = evaluation_run("t", suggester, rows)
    assert result.count == 4
    assert {k: result.hits[k] for k in ("leaf@1", "leaf@3", "category@1", "category@3", "first_level@1", "first_level@3")} == {
        "leaf@1": 1, "leaf@3": 3, "category@1": 2, "category@3": 3, "first_level@1": 2, "first_level@3": 3}
    assert result.confusion == {("城乡建设", "城乡建设"): 2, ("交通运输", "城乡建设"): 1, ("城乡建设", "（无）"): 1}


def test_evaluation_lines_and_confusion_table():
    result = evaluation_run("样例", _fixed([["0101"], ["0601"]]), [("a", "0101"), ("b", "0101")])
    assert evaluation_lines(result) == [
        "== 样例（2 条）",
        "二级类别 top-1 50.0%  top-3 50.0%",
        "一级类别 top-1 50.0%  top-3 50.0%",
        "12345一级分类 top-1 50.0%  top-3 50.0%",
    ]
    assert confusion_lines(result) == ["真实\\预测\t交通运输\t城乡建设", "城乡建设\t1\t1"]


def test_a_row_labelled_with_its_first_level_class_only_counts_there_alone():
    rows = [("a", "0101"), ("b", "", "交通运输"), ("c", "0601", "交通运输")]
    result = evaluation_run("t", _fixed([["0101"], ["0601"], ["0501"]]), rows)
    assert (result.count, dict(result.labelled)) == (3, {"leaf": 2, "category": 2, "first_level": 3})
    assert (result.rate("leaf@1"), result.rate("first_level@1")) == (0.5, 2 / 3)
    assert evaluation_lines(result) == [
        "== t（3 条）",
        "二级类别 top-1 50.0%  top-3 50.0%（其中 2 条有此级标注）",
        "一级类别 top-1 50.0%  top-3 50.0%（其中 2 条有此级标注）",
        "12345一级分类 top-1 66.7%  top-3 66.7%",
    ]
    assert result.confusion == {("城乡建设", "城乡建设"): 1, ("交通运输", "交通运输"): 1, ("交通运输", "城乡建设"): 1}
