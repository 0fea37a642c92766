import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def _run(*args) -> str:
    out = StringIO()
    call_command("triage", *args, stdout=out)
    return out.getvalue()


def test_classify_writes_one_json_line_per_text_with_the_top_three(trained_model, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text('{"id": "A-7", "text": "小区门口乱停车把大门堵死了"}\n路灯坏了半个月\n\n{不是 JSON 的一行\n',
                      encoding="utf-8")
    lines = _run("--model", str(trained_model), "classify", str(source)).splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == ["A-7", "2", "4"]
    assert [r["top"][0]["code"] for r in rows[:2]] == ["0601", "0501"]
    for row in rows:
        assert list(row) == ["id", "top"]
        assert len(row["top"]) == 3
        assert all(list(item) == ["category", "code", "first_level", "p"] for item in row["top"])
        ps = [item["p"] for item in row["top"]]
        assert ps == sorted(ps, reverse=True) and sum(ps) <= 1.0
    assert rows[0]["top"][0]["category"] == "违章停车" and rows[0]["top"][0]["first_level"] == "交通运输"


def test_train_reports_counts_and_saves(tmp_path, db):
    extra = tmp_path / "extra.jsonl"
    extra.write_text('{"text": "井盖被偷了", "category": "0502"}\n{"text": "x", "category": "99"}\n', encoding="utf-8")
    path = tmp_path / "m.pkl"
    out = _run("--model", str(path), "train", "--extra", str(extra))
    assert "事件记录中的样本 0 条" in out
    assert "额外样本 1 条（类别不在目录中而舍弃 1 条），类别 89 个" in out
    assert path.exists()


def test_evaluate_prints_accuracy_for_corpus_split_and_heldout():
    out = _run("evaluate")
    for header in ("== 语料测试部分", "== heldout.jsonl 居民口语", "== heldout.jsonl 关键词规则"):
        assert header in out
    assert out.count("12345一级分类 top-1 ") == 6
    assert "真实\\预测\t" in out


def test_evaluate_a_labelled_file_by_leaf_or_by_first_level(tmp_path):
    path = tmp_path / "real.jsonl"
    path.write_text('{"text": "小区门口井盖被人偷了，晚上好危险", "category": "0502"}\n\n'
                    '{"text": "楼下烧烤店油烟太大了，窗户都打不开", "first_level": "环境保护"}\n', encoding="utf-8")
    out = _run("evaluate", "--file", str(path))
    assert "== real.jsonl（模型用全部语料训练）（2 条）" in out
    assert "二级类别 top-1 100.0%  top-3 100.0%（其中 1 条有此级标注）" in out
    assert "12345一级分类 top-1 100.0%  top-3 100.0%" in out
    assert "== real.jsonl 关键词规则（冷启动）（2 条）" in out


@pytest.mark.parametrize(("line", "message"), [
    ("not json", "第2行 不是 JSON"),
    ('{"category": "0502"}', "第2行 缺少 text"),
    ('{"text": "x", "category": "9999"}', "第2行 的类别 9999 不在类别目录中"),
    ('{"text": "x", "category": "0502", "first_level": "民政"}', "第2行 的类别 0502 属于 城乡建设，与 first_level 民政 不符"),
    ('{"text": "x", "first_level": "外星事务"}', "第2行 需要 category（二级类别编码）或有效的 first_level，收到“外星事务”"),
])
def test_evaluate_names_the_bad_line_of_a_labelled_file(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "井盖没了", "category": "0502"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        _run("evaluate", "--file", str(path))


def test_classify_reads_standard_input_when_no_file_is_given(trained_model, monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("\n井盖被偷了，留下一个大洞\n"))
    rows = [json.loads(line) for line in _run("--model", str(trained_model), "classify").splitlines()]
    assert [(r["id"], r["top"][0]["code"]) for r in rows] == [("2", "0502")]


def test_classify_of_a_missing_file_is_an_error_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        _run("classify", str(tmp_path / "nope.txt"))
