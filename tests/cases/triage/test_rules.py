import pytest

from gridgov.cases.triage.rules import rules_suggest


@pytest.mark.parametrize(("text", "code"), [
    ("来电人反映桂林路有流动摊贩摆摊占道，行人过不去", "0101"),
    ("公租房5栋电梯又困人了，关了半小时", "0704"),
    ("包工头拖欠工资三个月了，老板跑路找不到人", "0901"),
    ("楼上有人高空抛物，扔下来一个花盆", "1402"),
    ("今天早上突然停水，水压也一直很小", "0801"),
])
def test_rules_put_the_obvious_category_first(text, code):
    assert rules_suggest(text)[0].category_code == code


def test_rules_share_of_scores_sums_to_one_and_is_sorted():
    top = rules_suggest("楼道里电动车飞线充电，消防通道也堵了", k=3)
    assert [s.category_code for s in top][:1] == ["1404"]
    assert sum(s.p for s in top) <= 1.0 + 1e-9
    assert [s.p for s in top] == sorted((s.p for s in top), reverse=True)


def test_rules_return_nothing_without_a_keyword():
    assert rules_suggest("你好，请问一下") == []


def test_rules_carry_the_catalogue_fields():
    top = rules_suggest("路灯不亮，黑灯瞎火的", k=1)[0]
    assert (top.category_code, top.category_name, top.first_level, top.department, top.p) == (
        "0501", "路灯照明", "城乡建设", "镇城市管理办公室", 1.0)
