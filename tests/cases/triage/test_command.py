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
    assert "额外样本 1 条（类别不在目录中而舍弃 1 条），类别 81 个" in out
    assert path.exists()


def test_evaluate_prints_accuracy_for_corpus_split_and_heldout():
    out = _run("evaluate")
    for header in ("== 语料测试部分", "== heldout.jsonl 居民口语", "== heldout.jsonl 关键词规则"):
        assert header in out
    assert out.count("12345一级分类 top-1 ") == 6
    assert "真实\\预测\t" in out


def test_classify_reads_standard_input_when_no_file_is_given(trained_model, monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("\n井盖被偷了，留下一个大洞\n"))
    rows = [json.loads(line) for line in _run("--model", str(trained_model), "classify").splitlines()]
    assert [(r["id"], r["top"][0]["code"]) for r in rows] == [("2", "0502")]


def test_classify_of_a_missing_file_is_an_error_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        _run("classify", str(tmp_path / "nope.txt"))
