"""API keys (user tokens, gateway keys, Open311 keys): random, shown once, stored as their SHA-256."""

import hashlib
import secrets


def new_key(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()
