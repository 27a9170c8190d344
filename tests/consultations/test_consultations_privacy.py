"""Phone validation, masking and the user-id hash: no personal data in reprs or logs."""

from __future__ import annotations

import pytest

from consultations.errors import InvalidPhoneError
from consultations.privacy import hash_user_id, mask_phone, normalise_phone, redact_phones


# The tables of accepted and refused spellings are tests/zh/test_phones.py.
def test_normalise_phone_returns_eleven_digits() -> None:
    assert normalise_phone("+86 138-0013-8000") == "13800138000"


@pytest.mark.parametrize("raw", ["", "021-64370000", "+1 138 0013 8000"])
def test_invalid_phones_raise_with_chinese_message(raw: str) -> None:
    with pytest.raises(InvalidPhoneError) as info:
        normalise_phone(raw)
    assert info.value.field == "phone" and info.value.kind == "invalid_phone"
    assert raw.replace(" ", "") not in str(info.value) or not raw


def test_mask_phone() -> None:
    assert mask_phone("13800131234") == "138****1234"
    assert mask_phone("+86 138-0013-1234") == "138****1234"
    assert mask_phone(None) == "-"
    assert mask_phone("12345") == "***"


def test_redact_phones_in_free_text() -> None:
    text = "王老师很耐心，有问题打我电话 139 1234 5678 或 +86-13800138000。"
    redacted = redact_phones(text)
    assert "139****5678" in redacted and "138****8000" in redacted
    assert "1234 5678" not in redacted and "13800138000" not in redacted


def test_hash_user_id_is_stable_and_hides_the_id() -> None:
    openid = "oABCD1234567890wechatopenid"
    assert hash_user_id(openid) == hash_user_id(openid)
    assert openid not in hash_user_id(openid)
    assert hash_user_id(openid) != hash_user_id(openid + "x")
    assert hash_user_id(None) == "u:-"
