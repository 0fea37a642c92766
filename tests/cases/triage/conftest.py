import pytest

from gridgov.cases.triage.model import model_train


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory):
    """A model trained on the whole corpus, saved outside VAR_DIR; its path."""
    path = tmp_path_factory.mktemp("triage") / "model.pkl"
    model_train(path=path)
    return path
