"""Fuzz the public channels on the real stack with hypothesis: the widget API, the WeChat webhook
(safe mode) and the REST channel each get generated input (odd JSON, raw bytes, control
characters, lone surrogates, very long text, Rasa's intent syntax typed with entity values).

Across all of it: no 5xx; every well-formed message gets a reply with text; no stored user message
is intent syntax, nothing restarts and no slot takes a value from typed intent syntax. The figures
(inputs, statuses, 5xx, empty replies) are printed and written to test-artifacts/fuzz/.

Bounded: a fixed number of examples per channel, derandomised (the same inputs in every run).
"""

from __future__ import annotations

import json
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import count

import pytest
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wechatpy.crypto import WeChatCrypto

from bot import runtime
from bot.channels.input_gate import MAX_TEXT_CHARS, PayloadAllowList
from bot.channels.rest import MAX_BODY_BYTES
from tests.channels.wechat_harness import AES_KEY, APPID, TOKEN, sign_push, text_xml

pytestmark = pytest.mark.rasa_server

MARKER = "zzfuzz"
FOREIGN = ("wx:", "tel:")  # sender ids only the WeChat channel and the console set
ARTIFACTS = runtime.PROJECT_ROOT / "test-artifacts" / "fuzz"
# Examples per channel; each example is a batch of inputs sent at once (the servers are separate
# processes, so a batch keeps both cores busy).
EXAMPLES = {"widget": 90, "wechat": 90, "rest": 200}  # x BATCH = 3,040 inputs
BATCH = 8
FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_ALLOW = PayloadAllowList.from_domain()
_INTENTS = sorted(_ALLOW.intents) + ["restart", "session_start", "back"]
_ENTITIES = sorted(_ALLOW.entities) + ["booking_phone", "booking_name", "forget_conversation", "profile"]
_WORDS = [
    "创业",
    "担保贷款",
    "补贴",
    "浦东",
    "我想预约专家",
    "利息",
    "多少钱",
    "是",
    "不是",
    "1",
    "２",
    "取消",
    "你好",
]

# Text a citizen could type: anything Unicode has (lone surrogates included), words of the domain,
# Rasa's intent syntax with entity values behind odd prefixes, and too much of it.
any_char = st.characters(exclude_categories=())
intent_syntax = st.builds(
    lambda prefix, intent, entities, tail: (
        f"{prefix}/{intent}{json.dumps(entities, ensure_ascii=False)}{tail}"
    ),
    st.sampled_from(["", " ", "／", "\u200b", "\u3000", "/", "\x00", "\u202e"]),
    st.sampled_from(_INTENTS),
    st.dictionaries(
        st.sampled_from(_ENTITIES), st.sampled_from([MARKER, f"{MARKER}-浦东", "13800138000"]), max_size=3
    ),
    st.sampled_from(["", " ", "吗？", "@1.0"]),
)
typed = st.one_of(
    st.text(any_char, max_size=40),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map("".join),
    intent_syntax,
    st.sampled_from(
        ["/restart", "/stop", "/greet", "/affirm", "/", "", "   ", "\ud800", "贷" * (MAX_TEXT_CHARS + 1)]
    ),
)
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(any_char, max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
odd_body = st.one_of(
    st.binary(max_size=60),
    json_value.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"", b"[]", b"null", b"{", b'{"message": null}', b'{"message": 1}', b'{"payload": []}']),
)


@dataclass
class Figures:
    channel: str
    inputs: int = 0
    well_formed: int = 0
    statuses: Counter = field(default_factory=Counter)
    server_errors: int = 0
    empty_replies: int = 0
    answered_later: int = 0  # WeChat: "success" now, the answer through the customer-service API
    senders: set = field(default_factory=set)
    started: float = field(default_factory=time.monotonic)

    def record(self, status: int, well_formed: bool) -> None:
        self.inputs += 1
        self.well_formed += well_formed
        self.statuses[status] += 1
        self.server_errors += status >= 500

    def report(self) -> dict:
        summary = {
            "channel": self.channel,
            "inputs": self.inputs,
            "well_formed": self.well_formed,
            "statuses": dict(sorted(self.statuses.items())),
            "5xx": self.server_errors,
            "empty_replies": self.empty_replies,
            "answered_later": self.answered_later,
            "seconds": round(time.monotonic() - self.started, 1),
        }
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{self.channel}.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
        print(f"fuzz {json.dumps(summary, ensure_ascii=False)}")
        return summary


def post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def has_text(replies: object) -> bool:
    return isinstance(replies, list) and any(
        isinstance(m, dict) and str(m.get("text") or "").strip() for m in replies
    )


def assert_no_typed_intent(assistant, senders: set[str]) -> None:
    """Nothing stored for these conversations came from intent syntax in typed text."""
    from sqlalchemy import create_engine, text

    engine = create_engine(assistant.env["TRACKER_STORE_URL"], future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT sender_id, type_name, data FROM events WHERE type_name IN ('user', 'slot', 'restart')"
                )
            ).all()
    finally:
        engine.dispose()
    ours = [(kind, json.loads(data)) for sender, kind, data in rows if sender in senders]
    assert [d for kind, d in ours if kind == "user"], "the fuzz reached Rasa"
    # Only a fixed button payload of the domain, sent as a click (`payload`), may be intent syntax.
    intents = [d["text"] for kind, d in ours if kind == "user" and d["text"].lstrip().startswith("/")]
    assert not [t for t in intents if t not in _ALLOW.fixed], intents
    assert not [d for kind, d in ours if kind == "restart"]
    assert not [
        d for kind, d in ours if kind == "slot" and MARKER in json.dumps(d.get("value"), ensure_ascii=False)
    ]


def decoded(raw: bytes) -> object:
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError:
        return None


def widget_well_formed(raw: bytes) -> bool:
    """What /api/chat answers with a turn: a JSON object with a non-blank `payload` or `message`."""
    body = decoded(raw)
    if not isinstance(body, dict):
        return False
    payload, message = body.get("payload"), body.get("message")
    if payload is not None:
        return isinstance(payload, str) and bool(payload.strip()) and len(payload) <= MAX_TEXT_CHARS
    return isinstance(message, str) and bool(message.strip()) and len(message) <= MAX_TEXT_CHARS


def rest_well_formed(raw: bytes) -> bool:
    """What the REST channel answers with messages: an object, an id, and a string to read."""
    body = decoded(raw)
    if len(raw) > MAX_BODY_BYTES or not isinstance(body, dict):
        return False
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > 128:
        return False
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in sender):
        return False
    if sender.startswith(FOREIGN):  # another channel's conversation: not this channel's to continue
        return False
    text = body["payload"] if body.get("payload") is not None else body.get("message")
    return isinstance(text, str)


def run_batches(channel: str, cases: st.SearchStrategy, send) -> Figures:
    """Send `EXAMPLES[channel]` generated batches through `send(case) -> Outcome`, checking each."""
    figures = Figures(channel)
    with ThreadPoolExecutor(BATCH) as pool:

        @settings(FUZZ_SETTINGS, max_examples=EXAMPLES[channel])
        @given(st.lists(cases, min_size=BATCH, max_size=BATCH))
        def batch(items: list) -> None:
            for case, outcome in zip(items, pool.map(send, items), strict=True):
                figures.record(outcome.status, outcome.well_formed)
                assert outcome.status < 500, (case, outcome)
                if not outcome.well_formed:
                    assert outcome.status in outcome.refusals, (case, outcome)
                    continue
                assert outcome.status == 200, (case, outcome)
                figures.answered_later += outcome.later
                figures.empty_replies += not outcome.answered and not outcome.later
                if outcome.sender:
                    figures.senders.add(outcome.sender)

        batch()
    return figures


@dataclass
class Outcome:
    status: int
    well_formed: bool
    answered: bool = False  # at least one message with text came back
    later: bool = False  # WeChat: "success" now, the answer through the customer-service API
    sender: str = ""
    refusals: tuple[int, ...] = (400, 413)
    body: bytes = b""


def check(figures: Figures, assistant) -> None:
    summary = figures.report()
    assert summary["5xx"] == 0 and summary["empty_replies"] == 0, summary
    assert_no_typed_intent(assistant, figures.senders)


def test_fuzz_widget_api(assistant) -> None:
    url = assistant.web_url + "/api/chat"

    def send(body: dict | bytes) -> Outcome:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, data, headers = post(url, raw)
        outcome = Outcome(status, widget_well_formed(raw), body=data[:200])
        if status == 200:
            outcome.answered = has_text(json.loads(data))
            outcome.sender = "web:" + headers["X-Haina-Session"].split(".", 1)[0]
        elif status < 500:
            assert json.loads(data)["error"]["message"], data  # a Chinese message for every refusal
        return outcome

    cases = st.one_of(
        st.builds(lambda t: {"message": t}, typed),
        st.builds(lambda t: {"payload": t}, typed),
        st.builds(lambda t, s: {"message": t, "sender": s}, typed, st.text(max_size=20)),
        odd_body,
    )
    check(run_batches("widget", cases, send), assistant)


def test_fuzz_rest_channel(assistant) -> None:
    numbers = count()

    def send(case: tuple[str, object]) -> Outcome:
        kind, value = case
        if kind in ("message", "payload"):
            body = json.dumps(
                {"sender": f"fuzz-{uuid.uuid4().hex[:8]}-{next(numbers)}", kind: value}
            ).encode()
        else:
            body = value if kind == "raw" else json.dumps(value).encode()
        status, data, _ = post(assistant.rest_url, body)
        sender = decoded(body).get("sender") if isinstance(decoded(body), dict) else None
        foreign = isinstance(sender, str) and sender.startswith(FOREIGN)
        outcome = Outcome(status, rest_well_formed(body), body=data[:200], refusals=(400, 403, 413))
        if foreign:
            outcome.refusals = (200, 403)
        if status == 200 and not foreign:
            outcome.answered = has_text(json.loads(data))
            outcome.sender = sender
        return outcome

    cases = st.one_of(
        st.builds(lambda t: ("message", t), typed),
        st.builds(lambda t: ("payload", t), typed),
        st.builds(lambda b: ("raw", b), odd_body),
        st.builds(lambda s, t: ("sender", {"sender": s, "message": t}), json_value, typed),
    )
    check(run_batches("rest", cases, send), assistant)


# XML cannot carry these; WeChat never sends them.
xml_char = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff")
wechat_typed = st.one_of(
    st.text(xml_char, max_size=40),
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5).map("".join),
    intent_syntax.map(lambda t: t.replace("\x00", "")),
    st.sampled_from(["/restart", "/", "1", "贷" * (MAX_TEXT_CHARS + 1)]),
)


def test_fuzz_wechat_webhook(assistant) -> None:
    webhook = f"http://127.0.0.1:{assistant.ports.rasa}/webhooks/wechat/webhook?"
    crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
    msg_ids = count(7 * 10**15 + int(time.time()) % 10**9 * 1000)

    def send(case: tuple[str, object]) -> Outcome:
        kind, value = case
        openid = "oFuzz" + uuid.uuid4().hex[:22]
        if kind == "text":
            content = str(value).replace("]]>", "]]]]><![CDATA[>")
            signed = sign_push(text_xml(content, msg_id=next(msg_ids), openid=openid), "safe")
        else:  # not a WeChat message at all, correctly signed and encrypted
            signed = sign_push(value.decode("utf-8", errors="replace").replace("]]>", ""), "safe")
        status, data, _ = post(webhook + urllib.parse.urlencode(signed.params), signed.body, "text/xml")
        outcome = Outcome(status, kind == "text", refusals=(200, 400), body=data[:200])
        if status != 200 or kind != "text":
            return outcome
        if data == b"success":
            outcome.later = True
            return outcome
        envelope = xmltodict.parse(data)["xml"]
        plain = crypto.decrypt_message(
            data, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )
        outcome.answered = bool((xmltodict.parse(plain)["xml"].get("Content") or "").strip())
        outcome.sender = "wx:" + openid
        return outcome

    cases = st.one_of(
        st.builds(lambda t: ("text", t), wechat_typed), st.builds(lambda b: ("raw", b), odd_body)
    )
    check(run_batches("wechat", cases, send), assistant)
