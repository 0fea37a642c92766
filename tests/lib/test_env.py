import pytest
from django.core.exceptions import ImproperlyConfigured

from gridgov.lib.env import env_bool, env_int, env_list


def test_booleans_accept_the_usual_words_and_refuse_the_rest(monkeypatch):
    monkeypatch.setenv("GG_FLAG", "yes")
    assert env_bool("GG_FLAG") is True
    monkeypatch.setenv("GG_FLAG", "0")
    assert env_bool("GG_FLAG", True) is False
    monkeypatch.setenv("GG_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"GG_FLAG='maybe' is not a boolean"):
        env_bool("GG_FLAG")


def test_numbers_fail_loudly_and_respect_their_minimum(monkeypatch):
    assert env_int("GG_MISSING", 30) == 30
    monkeypatch.setenv("GG_N", "abc")
    with pytest.raises(ImproperlyConfigured, match=r"GG_N='abc' is not a whole number"):
        env_int("GG_N", 1)
    monkeypatch.setenv("GG_N", "0")
    with pytest.raises(ImproperlyConfigured, match="GG_N=0 is below its minimum 1"):
        env_int("GG_N", 1, minimum=1)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("GG_HOSTS", " a.example , b.example,,")
    assert env_list("GG_HOSTS", []) == ["a.example", "b.example"]
