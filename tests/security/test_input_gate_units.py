"""The input gate on its own (bot/channels/input_gate.py): typed text never reaches Rasa as an
intent, and a button payload counts only if the domain or the last reply offered it."""

from __future__ import annotations

import pytest
import yaml

from bot.channels.input_gate import (
    DOMAIN_DIR,
    MAX_TEXT_CHARS,
    REPLY_TOO_LONG,
    Passed,
    PayloadAllowList,
    Refused,
    clean,
    offered_payloads,
    typed_text,
)
from bot.channels.wechat.inbound import PROMPT_EMPTY, Kind, interpret
from zh.normalise import normalise


@pytest.mark.parametrize(
    "typed",
    [
        '/check_eligibility{"policy":"first_business_subsidy"}',
        '/inform{"booking_phone":"13800138000"}',
        "/restart",
        " /restart",
        "//restart",
        "／restart",  # full-width: NLU folds it to "/" before Rasa's RegexMessageHandler runs
        "\u200b/restart",  # a zero-width space is dropped, and then the prefix
        "\u202e/restart",  # a bidi override likewise
        "\x00/restart",
        "\ud800/restart",  # a lone surrogate, as JSON "\ud800" delivers it
        "\u3000/restart",  # ideographic space
        "/ / /restart",
    ],
)
@pytest.mark.parametrize("fold", [True, False])
def test_typed_intent_syntax_reaches_rasa_as_text(typed: str, fold: bool) -> None:
    gated = typed_text(typed, fold=fold)
    assert isinstance(gated, Passed) and not gated.payload
    assert not gated.text.startswith("/")
    # What the NLU pipeline's normaliser makes of it still does not start with the prefix.
    assert not normalise(gated.text).strip().startswith("/")
    assert "restart" in gated.text or "{" in gated.text


def test_text_is_cleaned_and_folded_but_kept() -> None:
    assert typed_text("  创业担保贷款怎么申请？ ") == Passed("创业担保贷款怎么申请?")
    assert typed_text("３０万\u200b的贷款").text == "30万的贷款"
    assert typed_text("利息\ud83d多少").text == "利息多少"
    assert clean("a\tb\nc\x07d") == "a b cd"
    assert typed_text("我想问 1/2 的补贴").text == "我想问 1/2 的补贴"  # a "/" inside is text
    # Unfolded (REST): what the citizen wrote, cleaned only.
    assert typed_text(" 那期限呢？３０万\u200b ", fold=False) == Passed("那期限呢？３０万")


@pytest.mark.parametrize("typed", ["", "   ", "/", " // ", "\u200b", "\x00\x01"])
def test_nothing_left_is_empty_text_for_the_domain_s_prompt(typed: str) -> None:
    assert typed_text(typed) == Passed("")


def test_too_long_gets_the_polite_reply() -> None:
    assert typed_text("贷" * MAX_TEXT_CHARS) == Passed("贷" * MAX_TEXT_CHARS)
    assert typed_text("贷" * (MAX_TEXT_CHARS + 1)) == Refused(REPLY_TOO_LONG, "too_long")
    assert typed_text("贷" * 1_000_000) == Refused(REPLY_TOO_LONG, "too_long")


def _domain_button_payloads() -> set[str]:
    found = set()
    for path in DOMAIN_DIR.glob("*.yml"):
        for variants in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).values():
            for variant in variants:
                found.update(str(b["payload"]) for b in variant.get("buttons") or [])
    return found


def test_the_allow_list_is_the_domain_s_own_buttons() -> None:
    allow = PayloadAllowList.from_domain()
    intent_payloads = {p for p in _domain_button_payloads() if p.startswith("/")}
    assert intent_payloads, "the domain has buttons that send intents"
    assert allow.fixed == intent_payloads
    for payload in intent_payloads:
        assert allow.button(payload) == Passed(payload, payload=True)
    assert {"check_eligibility", "inform", "ask_policy", "cancel_booking"} <= allow.intents
    assert {"policy", "booking_code"} <= allow.entities


def test_a_payload_an_action_built_counts_only_for_the_conversation_it_was_offered_to() -> None:
    allow = PayloadAllowList.from_domain()
    reply = [
        {
            "text": "不可以……",
            "buttons": [{"title": "完整判断", "payload": '/check_eligibility{"policy": "x1"}'}],
        },
        {"text": "选一个", "buttons": [{"title": "融资", "payload": "融资"}]},
    ]
    offered = offered_payloads(reply)
    assert offered == ['/check_eligibility{"policy": "x1"}']
    assert allow.button('/check_eligibility{"policy": "x1"}', offered) == Passed(offered[0], payload=True)
    # Not offered (another conversation, or an earlier reply): read as typed text.
    not_offered = allow.button('/check_eligibility{"policy": "x1"}', [])
    assert isinstance(not_offered, Passed) and not not_offered.payload
    assert not not_offered.text.startswith("/")
    # A plain-text button is text anyway.
    assert allow.button("融资", offered) == Passed("融资")


@pytest.mark.parametrize(
    "payload",
    [
        '/inform{"booking_phone":"13800138000"}',  # no such entity in the domain
        "/no_such_intent",
        '/check_eligibility{"policy": ["a", "b"]}',  # not a plain value
        '/check_eligibility{"policy": "' + "x" * 65 + '"}',
        "/check_eligibility@0.5",  # confidence syntax: never ours
        '/check_eligibility{"policy": "x"',  # not JSON
        '/check_eligibility{"policy": true}',
    ],
)
def test_a_payload_that_is_not_well_formed_is_text_even_if_offered(payload: str) -> None:
    allow = PayloadAllowList.from_domain()
    gated = allow.button(payload, [payload])
    assert isinstance(gated, Passed) and not gated.payload and not gated.text.startswith("/")


def test_wechat_text_and_voice_go_through_the_gate() -> None:
    def push(kind: str, body: str) -> str:
        return (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>"
            f"<MsgType>{kind}</MsgType>{body}<MsgId>1</MsgId></xml>"
        )

    typed = interpret(push("text", '<Content><![CDATA[/inform{"district":"浦东"}]]></Content>'), {}, "/greet")
    assert typed.kind is Kind.RASA and not typed.text.startswith("/")
    said = interpret(push("voice", "<Recognition><![CDATA[／restart]]></Recognition>"), {}, "/greet")
    assert said.kind is Kind.RASA and said.text == "restart"
    empty = interpret(push("text", "<Content><![CDATA[/]]></Content>"), {}, "/greet")
    assert (empty.kind, empty.text) == (Kind.REPLY, PROMPT_EMPTY)
    long = interpret(push("text", f"<Content><![CDATA[{'贷' * 1001}]]></Content>"), {}, "/greet")
    assert (long.kind, long.text) == (Kind.REPLY, REPLY_TOO_LONG)
    # The channel's own configuration (menu, subscribe) is not typed text.
    menu = interpret(push("event", "<Event>CLICK</Event><EventKey>K</EventKey>"), {"K": "/my_bookings"}, "/g")
    assert menu.text == "/my_bookings"
