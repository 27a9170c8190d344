"""Issue #23, item 1, without servers: the widget's signed session ids and which sender ids a
conversation may act for (the rules the stack tests in test_identity.py exercise end to end; the
booking actions' side is in tests/actions/test_actions_booking_manage.py)."""

from __future__ import annotations

import json

import pytest

from bot.channels.rest import BadRequest, read_request
from bot.web.widget_session import SessionSigner
from consultations.identity import may_act_for, openid_of, phone_user, web_user, wechat_user

SECRET = "a-test-secret-of-more-than-32-characters"


def test_a_session_token_names_only_the_id_it_was_signed_for() -> None:
    signer = SessionSigner(SECRET)
    token = signer.issue()
    session_id = signer.session_id(token)
    assert session_id and token.startswith(session_id + ".")
    assert signer.sender(token) == (web_user(session_id), token)

    other_id = SessionSigner(SECRET).issue().split(".")[0]
    for forged in (
        f"{other_id}.{token.split('.')[1]}",  # another id under this signature
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # a changed signature
        "oHaiNaTestUser0000000000001",  # an openid, as the old widget accepted
        "tel:13912345678",
        "",
        None,
    ):
        assert signer.session_id(forged) is None, forged
        sender, new_token = signer.sender(forged)
        assert sender.startswith("web:") and new_token != forged
    # Another deployment's secret: its tokens are not ours.
    assert SessionSigner(SECRET + "-other").session_id(token) is None
    # Every new conversation gets a new id.
    assert len({SessionSigner(SECRET).issue() for _ in range(50)}) == 50


@pytest.mark.parametrize(
    ("user", "channel", "allowed"),
    [
        (web_user("abc"), "rest", True),
        (wechat_user("oABC"), "wechat", True),
        (wechat_user("oABC"), "rest", False),  # an openid learnt and sent to the REST channel
        (wechat_user("oABC"), None, False),
        (phone_user("13912345678"), "rest", False),  # a phone caller's bookings are the console's
        (phone_user("13912345678"), "wechat", False),
        ("", "rest", False),
    ],
)
def test_which_sender_ids_a_conversation_may_act_for(user: str, channel: str | None, allowed: bool) -> None:
    assert may_act_for(user, channel) is allowed


@pytest.mark.parametrize("sender", ["wx:oHaiNaTestUser0000000000001", "tel:13912345678"])
def test_the_rest_channel_refuses_another_channels_ids(sender: str) -> None:
    with pytest.raises(BadRequest) as refused:
        read_request(json.dumps({"sender": sender, "message": "查看我的预约"}).encode())
    assert refused.value.status == 403 and refused.value.code == "foreign_sender"
    assert read_request(json.dumps({"sender": "web:abc", "message": "你好"}).encode())[0] == "web:abc"


def test_openid_of_reads_only_wechat_ids() -> None:
    assert openid_of(wechat_user("oABC")) == "oABC"
    assert openid_of("oABC") is None
    assert openid_of(phone_user("13912345678")) is None
