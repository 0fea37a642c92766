"""The two keys every deployment needs: Django's secret key and the personal-data key.

Outside demo mode both must come from the environment. In demo mode they are generated
once into var/secrets.env (git-ignored) so that a second `make run` can still read the data.
"""

import base64
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SECRET_NAMES = ("GRIDGOV_SECRET_KEY", "GRIDGOV_DATA_KEY")


def _generate() -> dict[str, str]:
    return {
        "GRIDGOV_SECRET_KEY": secrets.token_urlsafe(50),
        "GRIDGOV_DATA_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def _read_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def demo_secrets(path: Path) -> dict[str, str]:
    """Read the demo secrets, creating the file on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "".join(f"{name}={value}\n" for name, value in _generate().items())
        path.write_text("# Generated for the demo; never use in production.\n" + body, encoding="utf-8")
        path.chmod(0o600)
    return _read_file(path)


def load_secrets(*, demo: bool, path: Path) -> dict[str, str]:
    found = {name: os.environ[name] for name in SECRET_NAMES if os.environ.get(name)}
    missing = [name for name in SECRET_NAMES if name not in found]
    if missing and demo:
        generated = demo_secrets(path)
        found.update({name: generated[name] for name in missing})
    elif missing:
        raise ImproperlyConfigured(
            f"缺少必需的密钥配置 {', '.join(missing)}：生产环境必须通过环境变量提供"
            "（见 docs/configuration.md）；试用请设置 GRIDGOV_DEMO=1。"
        )
    return found
