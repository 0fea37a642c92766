import json

from gridgov.cases.triage.catalogue import CATALOGUE_PATH, FIRST_LEVELS, catalogue_load

LEAF_KEYS = {"code", "name", "first_level", "department", "keywords"}
WHISTLES = {"quick", "urgent", "complex"}  # "none", the default, is left out of the file
PARENT_KEYS = {"code", "name", "first_level", "department", "children"}


def _doc():
    return json.loads(CATALOGUE_PATH.read_text(encoding="utf-8"))


def test_catalogue_has_two_levels_of_the_expected_size():
    doc = _doc()
    assert list(doc) == ["categories"]
    assert 12 <= len(doc["categories"]) <= 16
    for parent in doc["categories"]:
        assert set(parent) == PARENT_KEYS
        assert 3 <= len(parent["children"]) <= 7, parent["name"]


def test_every_leaf_has_an_allowed_first_level_a_department_and_keywords():
    for parent in _doc()["categories"]:
        assert parent["first_level"] in FIRST_LEVELS
        for leaf in parent["children"]:
            assert set(leaf) - {"whistle"} == LEAF_KEYS
            assert leaf.get("whistle", "quick") in WHISTLES, leaf["name"]
            assert leaf["first_level"] in FIRST_LEVELS, leaf["name"]
            assert leaf["department"].strip(), leaf["name"]
            assert len(leaf["keywords"]) >= 3 and all(w.strip() for w in leaf["keywords"]), leaf["name"]


def test_emergencies_and_multi_department_matters_propose_a_whistle():
    whistles = {c["name"]: c.get("whistle", "none") for p in _doc()["categories"] for c in p["children"]}
    assert (whistles["燃气"], whistles["地质灾害与危岩"], whistles["违法建设"], whistles["占道经营"]) == (
        "urgent", "urgent", "complex", "none")
    assert sum(w != "none" for w in whistles.values()) == 20


def test_codes_are_unique_and_children_start_with_their_parents_code():
    doc = _doc()
    codes = [p["code"] for p in doc["categories"]] + [c["code"] for p in doc["categories"] for c in p["children"]]
    assert len(codes) == len(set(codes))
    for parent in doc["categories"]:
        assert len(parent["code"]) == 2
        for leaf in parent["children"]:
            assert len(leaf["code"]) == 4 and leaf["code"].startswith(parent["code"])


def test_catalogue_load_indexes_leaves_with_their_parent():
    catalogue = catalogue_load()
    leaf = catalogue.leaf("0701")
    assert (leaf.name, leaf.first_level, leaf.department, leaf.parent_name) == (
        "公租房维修", "城乡建设", "公租房管理中心", "住房物业")
    assert len(catalogue.leaves) == sum(len(p["children"]) for p in _doc()["categories"])
    assert len(catalogue.version) == 12
