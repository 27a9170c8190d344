"""Issue #23, item 1: identity comes from the channel, never from the client.

Reproductions against the real stack (tests/conftest.py `assistant`: Rasa, action server, web
server as `make run` starts them). On 2e069c6 a REST call naming `tel:<mobile>` listed and
cancelled that caller's booking, and the widget, given a WeChat user's openid as its sender,
continued that user's conversation and saw their bookings.
"""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from sqlalchemy import bindparam, create_engine, text

from agent_desk import AgentDesk
from bot import runtime
from consultations import BookingService, open_service
from tests.channels.wechat_harness import OPENID
from tests.channels.wechat_harness import wechat_text as wechat

pytestmark = pytest.mark.rasa_server

SESSION_HEADER = "X-Haina-Session"


def response_text(name: str) -> str:
    """The first text of a response in the domain (the one home of what the assistant says)."""
    for path in sorted(Path(runtime.PROJECT_ROOT / "domain").glob("*.yml")):
        responses = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {}
        if name in responses:
            return responses[name][0]["text"]
    raise KeyError(name)


def post_json(url: str, body: object, headers: dict[str, str] | None = None) -> tuple[int, object, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null"), dict(error.headers)


def texts(replies: object) -> str:
    assert isinstance(replies, list), replies
    return "\n".join(str(m.get("text", "")) for m in replies)


def widget(assistant, body: dict, session: str | None = None) -> tuple[str, str | None]:
    """One message through the widget's /api/chat: (reply text, the session token handed back)."""
    headers = {SESSION_HEADER: session} if session else {}
    status, replies, response_headers = post_json(assistant.web_url + "/api/chat", body, headers)
    assert status == 200, replies
    return texts(replies), response_headers.get(SESSION_HEADER)


def rest(assistant, sender: str, message: str) -> tuple[int, str]:
    """A call of Rasa's REST channel (internal: only reachable on this host): (status, reply text)."""
    status, body, _ = post_json(assistant.rest_url, {"sender": sender, "message": message})
    return status, texts(body) if status == 200 else json.dumps(body, ensure_ascii=False)


def conversations_of(assistant, *candidates: str) -> dict[str, int]:
    """{sender id: number of user messages} for those of `candidates` the tracker store holds."""
    engine = create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    try:
        with engine.connect() as conn:
            query = text("SELECT sender_id, type_name FROM events WHERE sender_id IN :ids")
            query = query.bindparams(bindparam("ids", expanding=True))
            rows = conn.execute(query, {"ids": list(candidates)}).all()
    finally:
        engine.dispose()
    found: dict[str, int] = {}
    for sender, type_name in rows:
        found[sender] = found.get(sender, 0) + (type_name == "user")
    return found


@pytest.fixture(scope="module")
def service(assistant) -> Iterator[BookingService]:
    booking_service = open_service(assistant.env["DATABASE_URL"])
    yield booking_service
    booking_service.engine.dispose()


@pytest.fixture(scope="module")
def agent_headers(assistant) -> dict[str, str]:
    """A logged-in 12333 agent of the running console."""
    name, password = f"sec-agent-{uuid.uuid4().hex[:6]}", f"pw-{uuid.uuid4().hex}"
    desk = AgentDesk.open(assistant.env["DATABASE_URL"])
    try:
        desk.create_user(name, "agent", password)
    finally:
        desk.engine.dispose()
    status, body, _ = post_json(assistant.web_url + "/api/auth/login", {"name": name, "password": password})
    assert status == 200, body
    return {"Authorization": f"Bearer {body['token']}"}


def free_slot_id(service: BookingService) -> str:
    """A free slot more than a day ahead, so that its booking can still be cancelled."""
    edge = datetime.now(timezone.utc) + timedelta(hours=30)
    for expert in service.catalogue.experts:
        for slot in service.expert_slots(expert.id):
            if slot.start_at > edge:
                return slot.id
    pytest.fail("no free slot more than a day ahead in the sample catalogue")


def new_mobile() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def phone_booking(assistant, agent_headers: dict[str, str], service: BookingService, mobile: str) -> str:
    """A caller's booking made by an agent in the console, as on the 12333 line; its code."""
    status, body, _ = post_json(
        assistant.web_url + "/api/consultations/bookings",
        {
            "slot_id": free_slot_id(service),
            "name": "来电人",
            "phone": mobile,
            "topic": "融资",
            "stage": "筹备中",
        },
        agent_headers,
    )
    assert status == 201, body
    return body["booking"]["code"]


def active_codes_by_phone(assistant, agent_headers: dict[str, str], mobile: str) -> list[str]:
    status, body, _ = post_json(
        assistant.web_url + "/api/consultations/bookings/lookup", {"phone": mobile}, agent_headers
    )
    assert status == 200, body
    return [b["code"] for b in body["bookings"] if b["status"] == "active"]


def test_acting_as_a_phone_caller_cannot_list_or_cancel_their_booking(
    assistant, service: BookingService, agent_headers: dict[str, str]
) -> None:
    mobile = new_mobile()
    code = phone_booking(assistant, agent_headers, service, mobile)
    caller = "tel:" + mobile

    # The REST calls. Rasa's REST channel is internal now (test_internal.py), and even a
    # caller that reaches it cannot name a phone caller: those ids and bookings are the console's.
    status, listed = rest(assistant, caller, "查看我的预约")
    assert code not in listed
    assert status == 403
    status, _ = rest(assistant, caller, f"取消预约 {code}")
    assert status == 403
    assert active_codes_by_phone(assistant, agent_headers, mobile) == [code]

    # The public widget: the sender the page sends is ignored; the server names the conversation.
    reply, _ = widget(assistant, {"sender": caller, "message": "查看我的预约"})
    assert code not in reply
    widget(assistant, {"sender": caller, "message": f"取消预约 {code}"})
    assert active_codes_by_phone(assistant, agent_headers, mobile) == [code]
    assert conversations_of(assistant, caller) == {}, "no conversation under the caller's id"

    # The agent still looks the booking up and cancels it for the caller.
    status, body, _ = post_json(
        assistant.web_url + f"/api/consultations/bookings/{code}/cancel", {"phone": mobile}, agent_headers
    )
    assert status == 200 and body["booking"]["status"] == "cancelled", body
    assert active_codes_by_phone(assistant, agent_headers, mobile) == []


def test_knowing_an_openid_does_not_let_the_widget_continue_that_wechat_conversation(
    assistant, service: BookingService
) -> None:
    openid = f"{OPENID[:-8]}{uuid.uuid4().hex[:8]}"
    assert "海纳百创" in wechat(assistant, openid, "你好")
    # The WeChat user's conversation, under whatever id the channel gave it.
    [(wechat_id, user_turns)] = [
        (sender, n) for sender, n in conversations_of(assistant, openid, "wx:" + openid).items()
    ]
    assert user_turns == 1
    booking = service.book(  # as the WeChat conversation's booking action books
        user_id=wechat_id,
        slot_id=free_slot_id(service),
        name="微信用户",
        phone=new_mobile(),
        topic="融资",
        stage="筹备中",
        idempotency_key=uuid.uuid4().hex,
    )

    # The widget, given the openid, starts a conversation of its own and sees nothing of theirs.
    reply, session = widget(assistant, {"sender": openid, "message": "查看我的预约"})
    assert booking.code not in reply
    widget(assistant, {"sender": openid, "message": f"取消预约 {booking.code}"}, session)
    assert [b.code for b in service.bookings(wechat_id)] == [booking.code]
    assert conversations_of(assistant, wechat_id)[wechat_id] == 1, "no widget turn in their conversation"
    # The WeChat user still has the conversation and the booking.
    assert booking.code in wechat(assistant, openid, "查看我的预约")
    assert conversations_of(assistant, wechat_id)[wechat_id] == 2

    # An internal caller of the REST channel cannot name the namespaced id either (and the booking
    # actions would take a wx: id only on a message the WeChat channel verified).
    status, reply = rest(assistant, "wx:" + openid, "查看我的预约")
    assert booking.code not in reply and status == 403
    assert conversations_of(assistant, wechat_id)[wechat_id] == 2


def test_the_widget_conversation_is_named_and_signed_by_the_server(assistant) -> None:
    chosen = "web-abcdef1234567890abcdef"  # what the old widget page generated and sent
    first, session = widget(assistant, {"sender": chosen, "message": "你好"})
    assert "海纳百创" in first
    assert conversations_of(assistant, chosen) == {}, "the page's choice names no conversation"
    assert session, "the server hands out the conversation's token"
    session_id, _, signature = session.partition(".")
    ours = "web:" + session_id
    assert conversations_of(assistant, ours) == {ours: 1}

    # The token continues its conversation; a forged or missing one gets a new conversation.
    _, again = widget(assistant, {"message": "你好"}, session)
    assert again == session
    assert conversations_of(assistant, ours) == {ours: 2}
    forged = f"{session_id[:-1]}{'A' if session_id[-1] != 'A' else 'B'}.{signature}"
    _, replaced = widget(assistant, {"message": "你好"}, forged)
    _, fresh = widget(assistant, {"message": "你好"})
    assert len({session, replaced, fresh}) == 3
    assert conversations_of(assistant, ours, "web:" + forged.partition(".")[0]) == {ours: 2}
