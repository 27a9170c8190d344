"""The input gate on the real stack (Rasa, action server, web server with the trained model): a
citizen's typed `/intent{...}` is ordinary text through the widget API, WeChat and REST; the
assistant's own buttons still act; malformed REST requests get a 400 and well-formed ones a reply;
a flood from one conversation gets 429 / the polite reply."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from bot.channels.rate_limit import REPLY_TOO_MANY
from bot.channels.rest import BAD_MESSAGE, BAD_REQUEST, BAD_SENDER
from consultations.identity import wechat_user
from tests.channels.wechat_harness import wechat_text

pytestmark = pytest.mark.rasa_server

SESSION = "X-Haina-Session"
# Asked about one condition, the assistant answers it and offers the full check as a button whose
# payload an action builds: /check_eligibility{"policy": "first_business_subsidy"}.
CONDITION_QUESTION = "公司注册两年了还能申请首次创业补贴吗"
TYPED_INTENTS = [
    '/check_eligibility{"policy":"first_business_subsidy"}',
    '/inform{"district":"zzgate","applicant_group":"zzgate","amount":"zzgate"}',
    '/ask_policy{"policy":"first_business_subsidy"}',
    "/restart",
    "／restart",
]


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict, object]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def widget(assistant, body: dict, session: str | None = None) -> tuple[int, str, object]:
    status, headers, data = post(
        assistant.web_url + "/api/chat",
        json.dumps(body, ensure_ascii=False).encode(),
        {SESSION: session} if session else None,
    )
    return status, headers.get(SESSION, ""), data


def sender_of(session: str) -> str:
    return "web:" + session.split(".", 1)[0]


def wechat(assistant, content: str, openid: str) -> str:
    return wechat_text(assistant, openid, content)


def events(assistant, sender: str) -> list[tuple[str, dict]]:
    return [(kind, json.loads(data)) for kind, data in assistant._stored_events(sender)]


def assert_read_as_text(assistant, sender: str) -> None:
    """No stored user message is intent syntax, nothing restarted, no form opened, no slot set
    from a typed payload's values."""
    stored = events(assistant, sender)
    users = [data for kind, data in stored if kind == "user"]
    assert users, "the message reached Rasa"
    assert not [u["text"] for u in users if u["text"].lstrip().startswith("/")]
    assert "restart" not in [kind for kind, _ in stored]
    assert not [d for kind, d in stored if kind == "active_loop" and d.get("name")]
    slots = [(d["name"], d["value"]) for kind, d in stored if kind == "slot"]
    assert not [s for s in slots if s[1] in ("first_business_subsidy", "zzgate")], slots


@pytest.mark.parametrize("typed", TYPED_INTENTS)
def test_typed_intent_through_the_widget_is_ordinary_text(assistant, typed: str) -> None:
    status, session, replies = widget(assistant, {"message": typed})
    assert status == 200 and replies and all(isinstance(m, dict) for m in replies)
    assert any(m.get("text") for m in replies)
    assert_read_as_text(assistant, sender_of(session))


@pytest.mark.parametrize("typed", TYPED_INTENTS)
def test_typed_intent_through_wechat_is_ordinary_text(assistant, typed: str) -> None:
    openid = "oGate" + uuid.uuid4().hex[:22]
    assert wechat(assistant, typed, openid).strip()
    assert_read_as_text(assistant, wechat_user(openid))


def test_an_offered_button_acts_and_the_same_payload_elsewhere_is_text(assistant) -> None:
    status, session, replies = widget(assistant, {"message": CONDITION_QUESTION})
    assert status == 200
    payloads = [b["payload"] for m in replies for b in m.get("buttons") or []]
    [full_check] = [p for p in payloads if p.startswith("/check_eligibility")]
    assert "first_business_subsidy" in full_check

    # Clicked in the conversation it was offered to: the eligibility form starts.
    status, _, replies = widget(assistant, {"payload": full_check}, session)
    assert status == 200 and any(m.get("text") for m in replies)
    opened = [d.get("name") for kind, d in events(assistant, sender_of(session)) if kind == "active_loop"]
    assert "eligibility_form" in opened

    # The same payload from another conversation (never offered there), clicked or typed: text.
    for body in ({"payload": full_check}, {"message": full_check}):
        status, other, replies = widget(assistant, body)
        assert status == 200 and any(m.get("text") for m in replies)
        assert_read_as_text(assistant, sender_of(other))


def test_a_payload_is_honoured_only_from_the_last_reply(assistant) -> None:
    sender = f"gate-{uuid.uuid4().hex[:12]}"
    rest = assistant.rest_url
    _, _, replies = post(rest, json.dumps({"sender": sender, "message": CONDITION_QUESTION}).encode())
    [full_check] = [b["payload"] for m in replies for b in m.get("buttons") or []]
    post(rest, json.dumps({"sender": sender, "message": "你好"}).encode())  # a reply without buttons
    status, _, replies = post(rest, json.dumps({"sender": sender, "payload": full_check}).encode())
    assert status == 200 and replies
    stored = events(assistant, sender)
    last_user = [d for kind, d in stored if kind == "user"][-1]
    assert not last_user["text"].startswith("/")  # read as text: the button is no longer offered
    assert not [d for kind, d in stored if kind == "active_loop" and d.get("name")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", BAD_REQUEST),
        (b"[]", BAD_REQUEST),
        (b"null", BAD_REQUEST),
        (b"{not json", BAD_REQUEST),
        (b'"text"', BAD_REQUEST),
        (b'{"sender": "u-rest-1"}', BAD_MESSAGE),
        (b'{"sender": "u-rest-1", "message": 42}', BAD_MESSAGE),
        (b'{"sender": "u-rest-1", "message": ["a"]}', BAD_MESSAGE),
        (b'{"message": "hi"}', BAD_SENDER),
        (b'{"sender": 7, "message": "hi"}', BAD_SENDER),
        (b'{"sender": "a\\u0000b", "message": "hi"}', BAD_SENDER),
        (b'{"sender": "u-rest-1", "payload": 3}', BAD_MESSAGE),
    ],
)
def test_malformed_rest_requests_get_a_400_in_chinese(assistant, body: bytes, message: str) -> None:
    status, _, data = post(assistant.rest_url, body)
    assert status == 400
    assert data["error"]["message"] == message


@pytest.mark.parametrize(
    "message",
    ["/restart", "\ud800", "/", "", "   ", "\x00\x01", "a\ud800b你好", "贷" * 2000, "/inform{}", "🙂" * 3],
    ids=lambda message: repr(message[:12]),
)
def test_well_formed_rest_messages_always_get_a_reply(assistant, message: str) -> None:
    sender = f"gate-{uuid.uuid4().hex[:12]}"
    status, _, replies = post(assistant.rest_url, json.dumps({"sender": sender, "message": message}).encode())
    assert status == 200
    assert replies and all(m.get("recipient_id") == sender for m in replies)
    assert any((m.get("text") or "").strip() for m in replies)
    if message in ("/", "", "\x00\x01"):  # nothing left: the same prompt as for blank input
        _, _, blank = post(
            assistant.rest_url, json.dumps({"sender": sender + "b", "message": "   "}).encode()
        )
        assert [m["text"] for m in replies] == [m["text"] for m in blank]


def test_a_megabyte_through_rest_is_refused_and_not_stored(assistant) -> None:
    sender = f"gate-{uuid.uuid4().hex[:12]}"
    body = json.dumps({"sender": sender, "message": "贷" * 1_000_000}).encode()
    status, _, data = post(assistant.rest_url, body)
    assert status == 413 and data["error"]["message"]
    assert assistant.tracker_events(sender) == []


def test_a_flood_from_one_widget_conversation_gets_429(assistant) -> None:
    limit = 20  # HAINA_CHAT_LIMIT_PER_SENDER's default
    status, session, _ = widget(assistant, {"message": "你好"})
    assert status == 200
    statuses = [status]
    for _ in range(limit + 4):
        status, session, data = widget(assistant, {"message": "你好"}, session)
        statuses.append(status)
        if status == 429:
            assert data["error"]["message"] == REPLY_TOO_MANY
    assert statuses[:limit] == [200] * limit
    assert statuses[-1] == 429
    # Only the answered messages reached Rasa.
    assert assistant.tracker_events(sender_of(session)).count("user") == statuses.count(200)


def test_a_flood_from_one_wechat_user_gets_the_polite_reply(assistant) -> None:
    openid = "oFlood" + uuid.uuid4().hex[:21]
    replies = [wechat(assistant, "你好", openid) for _ in range(23)]
    assert REPLY_TOO_MANY not in replies[:20]
    assert replies[-1] == REPLY_TOO_MANY
    assert assistant.tracker_events(wechat_user(openid)).count("user") == 20
