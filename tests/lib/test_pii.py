import pytest

from gridgov.lib import pii


def test_encrypt_round_trip_uses_fresh_nonces():
    first, second = pii.encrypt("13912345678"), pii.encrypt("13912345678")
    assert first != second
    assert first.startswith("g1:")
    assert pii.decrypt(first) == pii.decrypt(second) == "13912345678"


def test_tampered_ciphertext_is_rejected():
    token = pii.encrypt("500113195003070021")
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(Exception):  # noqa: B017 — cryptography raises InvalidTag
        pii.decrypt(broken)


def test_blind_index_is_stable_and_normalised():
    assert pii.blind_index("11010519491231002x") == pii.blind_index(" 11010519491231002X ")
    assert pii.blind_index("a") != pii.blind_index("b")
    assert len(pii.blind_index("a")) == 64


@pytest.mark.parametrize(("value", "masked"), [
    ("500113195003070021", "5001**********0021"),
    ("13912345678", "139****5678"),
    ("", ""),
])
def test_masking(value, masked):
    mask = pii.mask_phone if len(value) == 11 else pii.mask_id_number
    assert mask(value) == masked
