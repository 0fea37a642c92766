from gridgov.cases.triage import suggest
from gridgov.cases.triage.catalogue import catalogue_load
from gridgov.cases.triage.rules import rules_scores
from gridgov.cases.triage.text import text_normalise


def test_traditional_characters_are_read_as_simplified_and_latin_lowercased():
    assert text_normalise("鄭州市惠濟區北四環，樓上漏水滲到我家ABC") == "郑州市惠济区北四环，楼上漏水渗到我家abc"


def test_simplified_text_is_left_as_it_is():
    text = "公租房12栋卫生间水管漏水，报修两周没人修。"
    assert text_normalise(text) == text


def test_a_message_in_traditional_characters_gets_the_suggestion_of_its_simplified_form(trained_model):
    traditional = "小區廣場每晚有人跳廣場舞，音響開得很大，影響休息。"
    simplified = "小区广场每晚有人跳广场舞，音响开得很大，影响休息。"
    assert suggest(traditional, model_path=trained_model) == suggest(simplified, model_path=trained_model)
    assert suggest(traditional, model_path=trained_model)[0].category_code == "0403"


def test_keyword_rules_match_traditional_text():
    catalogue = catalogue_load()
    assert rules_scores("電梯又困人了", catalogue) == rules_scores("电梯又困人了", catalogue) == {"0704": 4}
