"""The client's address, also behind a reverse proxy the operator trusts."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, unless it is one of GRIDGOV_TRUSTED_PROXIES: then the nearest address in
    X-Forwarded-For that is not a trusted proxy (a client can prepend anything; proxies append)."""
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = set(settings.GRIDGOV_TRUSTED_PROXIES)
    if peer is None or peer not in trusted:
        return peer
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop if _is_ip(hop) else peer
    return peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True
