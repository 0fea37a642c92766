import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The permission matrix signs in seven personas per case; Argon2 would dominate its run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
