import dataclasses

import joblib
import pytest

from gridgov.cases.triage import suggest, suggest_many
from gridgov.cases.triage.catalogue import catalogue_load
from gridgov.cases.triage.corpus import corpus_pairs
from gridgov.cases.triage.model import model_fit, model_load, model_save, model_train
from gridgov.cases.triage.rules import rules_suggest


@pytest.mark.parametrize(("text", "code"), [
    ("来电人反映：公租房12栋卫生间水管漏水，报修两周没人来修，诉求：尽快维修。", "0701"),
    ("小区广场每晚有人跳广场舞，音响开得很大，影响休息。", "0403"),
    ("来电人在工地干活，包工头拖欠三个月工资两万多元，诉求：帮助讨薪。", "0901"),
    ("超市卖过期牛奶，买回家才发现已经过期一周。", "1301"),
    ("家里八十多岁的老人一直没领到高龄津贴。", "1005"),
    ("楼上往下扔垃圾袋，差点砸到楼下小孩。", "1402"),
])
def test_trained_model_puts_the_right_leaf_first(trained_model, text, code):
    assert suggest(text, model_path=trained_model)[0].category_code == code


def test_suggestions_are_k_sorted_and_sum_to_at_most_one(trained_model):
    top = suggest("路灯坏了，晚上很黑", k=3, model_path=trained_model)
    assert len(top) == 3
    assert [s.p for s in top] == sorted((s.p for s in top), reverse=True)
    assert sum(s.p for s in top) <= 1.0
    leaf = catalogue_load().leaf(top[0].category_code)
    assert (top[0].category_name, top[0].first_level, top[0].department) == (leaf.name, leaf.first_level, leaf.department)


def test_suggest_many_matches_one_by_one(trained_model):
    texts = ["井盖丢了", "燃气漏气", "狗乱叫"]
    assert suggest_many(texts, model_path=trained_model) == [suggest(t, model_path=trained_model) for t in texts]


def test_without_a_model_suggest_falls_back_to_rules(tmp_path):
    text = "公租房5栋电梯又困人了"
    assert suggest(text, model_path=tmp_path / "none.pkl") == rules_suggest(text)


def test_a_model_of_another_catalogue_version_is_not_used(tmp_path):
    path = tmp_path / "model.pkl"
    stale = dataclasses.replace(catalogue_load(), version="000000000000")
    model_save(model_fit(corpus_pairs()[:400]), catalogue=stale, path=path)
    assert model_load(path) is None
    assert suggest("井盖丢了", model_path=path) == rules_suggest("井盖丢了")


def test_extra_pairs_are_trained_on_and_unknown_codes_dropped(tmp_path):
    path = tmp_path / "model.pkl"
    extra = [("稀奇古怪的事情", "0805")] * 30 + [("无效类别", "9999"), ("   ", "0101")]
    result = model_train(extra=extra, split="train", path=path)
    assert (result.corpus_count, result.extra_count, result.dropped_count, result.category_count) == (
        len(corpus_pairs("train")), 30, 2, 89)
    assert suggest("稀奇古怪的事情", model_path=path)[0].category_code == "0805"
    assert joblib.load(path)["catalogue_version"] == catalogue_load().version


def test_an_unreadable_model_file_falls_back_to_rules_with_a_warning(tmp_path, caplog):
    path = tmp_path / "model.pkl"
    path.write_bytes(b"not a pickle")
    assert suggest("井盖丢了", model_path=path) == rules_suggest("井盖丢了")
    assert "无法读取" in caplog.text


def test_the_loaded_model_gives_the_saved_models_probabilities_exactly(trained_model):
    saved = joblib.load(trained_model)["pipeline"]
    loaded = model_load(trained_model)
    texts = ["井盖丢了", "燃气漏气，楼道里一股味道", "狗乱叫"]
    assert loaded[-1].coef_.flags["F_CONTIGUOUS"]
    assert (loaded.predict_proba(texts) == saved.predict_proba(texts)).all()
    assert list(loaded.classes_) == list(saved.classes_)


def test_a_model_retrained_at_the_same_path_is_used_on_the_next_suggestion(tmp_path):
    path = tmp_path / "model.pkl"
    model_train(split="train", path=path)
    assert suggest("稀奇古怪的事情", model_path=path)[0].category_code != "0805"
    model_train(extra=[("稀奇古怪的事情", "0805")] * 30, split="train", path=path)
    assert suggest("稀奇古怪的事情", model_path=path)[0].category_code == "0805"
