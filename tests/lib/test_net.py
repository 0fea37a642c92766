import pytest
from django.test import RequestFactory

from gridgov.lib.net import client_ip


def _request(peer, forwarded=None):
    meta = {"REMOTE_ADDR": peer} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(("peer", "forwarded", "expected"), [
    ("203.0.113.9", None, "203.0.113.9"),
    ("203.0.113.9", "1.2.3.4", "203.0.113.9"),                  # not from a trusted proxy: the header is ignored
    ("127.0.0.1", "198.51.100.7", "198.51.100.7"),
    ("127.0.0.1", "6.6.6.6, 198.51.100.7", "198.51.100.7"),     # a forged first hop is not believed
    ("127.0.0.1", "198.51.100.7, 10.0.0.2", "198.51.100.7"),    # through two trusted proxies
    ("127.0.0.1", "10.0.0.2", "127.0.0.1"),                     # only proxies: the peer
    ("127.0.0.1", "not-an-address", "127.0.0.1"),
    ("127.0.0.1", "", "127.0.0.1"),
])
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(settings, peer, forwarded, expected):
    settings.GRIDGOV_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.2"]
    assert client_ip(_request(peer, forwarded)) == expected


def test_without_trusted_proxies_the_peer_is_the_client(settings):
    settings.GRIDGOV_TRUSTED_PROXIES = []
    assert client_ip(_request("127.0.0.1", "198.51.100.7")) == "127.0.0.1"
