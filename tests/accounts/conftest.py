import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 takes most of a second per persona here; these tests are about who may do what."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
