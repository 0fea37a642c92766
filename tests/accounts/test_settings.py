from gridgov import settings as project_settings


def test_passwords_are_hashed_with_argon2_in_production():
    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_screens_are_chinese_in_shanghai_time():
    assert (project_settings.LANGUAGE_CODE, project_settings.TIME_ZONE) == ("zh-hans", "Asia/Shanghai")
