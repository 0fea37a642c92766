import pytest
from django.core.exceptions import ImproperlyConfigured

from gridgov.lib.secrets import load_secrets


@pytest.fixture
def no_keys(monkeypatch):
    monkeypatch.delenv("GRIDGOV_SECRET_KEY", raising=False)
    monkeypatch.delenv("GRIDGOV_DATA_KEY", raising=False)


def test_outside_demo_mode_missing_keys_stop_start_up_naming_them(no_keys, tmp_path):
    with pytest.raises(ImproperlyConfigured) as raised:
        load_secrets(demo=False, path=tmp_path / "secrets.env")
    assert str(raised.value).startswith("缺少必需的密钥配置 GRIDGOV_SECRET_KEY, GRIDGOV_DATA_KEY：")
    assert not (tmp_path / "secrets.env").exists()


def test_demo_mode_generates_the_keys_once_and_reuses_them(no_keys, tmp_path):
    path = tmp_path / "var" / "secrets.env"
    first = load_secrets(demo=True, path=path)
    assert load_secrets(demo=True, path=path) == first
    assert len(first["GRIDGOV_SECRET_KEY"]) >= 50
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_keys_from_the_environment_win(no_keys, tmp_path, monkeypatch):
    monkeypatch.setenv("GRIDGOV_SECRET_KEY", "from-env")
    found = load_secrets(demo=True, path=tmp_path / "secrets.env")
    assert found["GRIDGOV_SECRET_KEY"] == "from-env"
    assert set(found) == {"GRIDGOV_SECRET_KEY", "GRIDGOV_DATA_KEY"}
