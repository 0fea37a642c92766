"""Personal data at rest: AES-GCM field encryption, an HMAC blind index, and masking.

Both sub-keys are derived from GRIDGOV_DATA_KEY (32 bytes, base64) with HKDF, so one key
in configuration yields independent keys for encryption and for the index.
"""

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_PREFIX = "g1:"


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


@functools.cache
def _keys(encoded: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ImproperlyConfigured("GRIDGOV_DATA_KEY is not valid base64") from None
    if len(master) != 32:
        raise ImproperlyConfigured(f"GRIDGOV_DATA_KEY must decode to 32 bytes, not {len(master)}")
    return _derive(master, b"gridgov-field-encryption"), _derive(master, b"gridgov-blind-index")


def _encryption_key() -> bytes:
    return _keys(settings.GRIDGOV_DATA_KEY)[0]


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), None)
    return _PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    if not token.startswith(_PREFIX):
        raise ValueError("not an encrypted GridGov value")
    raw = base64.b64decode(token[len(_PREFIX):])
    return AESGCM(_encryption_key()).decrypt(raw[:12], raw[12:], None).decode()


def blind_index(value: str) -> str:
    """A keyed hash for exact lookup of an encrypted value (normalised: stripped, upper case)."""
    key = _keys(settings.GRIDGOV_DATA_KEY)[1]
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    """5001**********1234: the first four and the last four characters."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """139****5678 for a mobile number; other numbers keep only their last four."""
    if not value:
        return ""
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return "*" * max(len(value) - 4, 0) + value[-4:]


class EncryptedTextField(models.TextField):
    """Holds plaintext in Python and AES-GCM ciphertext in the database."""

    def from_db_value(self, value, expression, connection):
        return value if not value else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
