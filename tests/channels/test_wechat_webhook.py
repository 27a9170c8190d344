"""The webhook's front door: URL verification, signatures, timestamps, hostile XML, message types."""

from __future__ import annotations

import time

import pytest

from bot.channels.wechat.inbound import (
    PROMPT_EMPTY,
    PROMPT_MENU_UNAVAILABLE,
    PROMPT_TEXT_ONLY,
    PROMPT_VOICE_UNRECOGNISED,
)
from consultations.identity import wechat_user
from tests.channels.wechat_harness import (
    OPENID,
    TOKEN,
    fixture_xml,
    query_signature,
    sign_push,
)

MODES = ["plain", "compatible", "safe"]


def _verify_params(timestamp: int | None = None, token: str = TOKEN) -> dict[str, str]:
    ts = str(timestamp if timestamp is not None else int(time.time()))
    return {
        "signature": query_signature(ts, "n0nce", token),
        "timestamp": ts,
        "nonce": "n0nce",
        "echostr": "7391846",
    }


async def test_url_verification_echoes_echostr(start_channel):
    wechat = await start_channel()
    reply = await wechat.get(_verify_params())
    assert (reply.status, reply.text) == (200, "7391846")


@pytest.mark.parametrize(
    "params",
    [
        _verify_params(token="wrong-token"),
        {"timestamp": "1", "nonce": "n", "echostr": "x"},
        {},
    ],
    ids=["forged", "missing-signature", "no-params"],
)
async def test_url_verification_refuses_bad_signature(start_channel, params):
    wechat = await start_channel()
    reply = await wechat.get(params)
    assert reply.status == 403
    assert "7391846" not in reply.text


async def test_url_verification_refuses_stale_timestamp(start_channel):
    wechat = await start_channel()
    assert (await wechat.get(_verify_params(int(time.time()) - 301))).status == 403


@pytest.mark.parametrize("mode", MODES)
async def test_text_message_reaches_rasa_and_is_answered_passively(start_channel, mode):
    wechat = await start_channel(mode=mode)
    reply = await wechat.push(fixture_xml("text"))
    assert wechat.reply_content(reply) == "收到：创业担保贷款怎么申请?"
    # A push carrying encrypt_type=aes (safe, and compatible with AES) is answered encrypted.
    assert ("<Encrypt>" in reply.text) == (mode != "plain")
    [message] = wechat.bot.calls
    assert message.sender_id == wechat_user(OPENID)  # namespaced: no other channel makes wx: ids
    assert message.input_channel == "wechat"
    assert message.message_id == "24411000000000001"


async def test_compatible_mode_without_aes_params_uses_plaintext(start_channel):
    wechat = await start_channel(mode="compatible")
    reply = await wechat.push(fixture_xml("text"), mode="plain")
    assert wechat.reply_content(reply) == "收到：创业担保贷款怎么申请?"
    assert "<Encrypt>" not in reply.text


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "tamper", ["signature", "msg_signature", "drop-signature", "drop-msg_signature", "token"]
)
async def test_forged_or_missing_signatures_are_refused(start_channel, mode, tamper):
    wechat = await start_channel(mode=mode)
    if tamper == "token":
        signed = sign_push(fixture_xml("text"), mode, token="attacker-guess")
    else:
        signed = sign_push(fixture_xml("text"), mode)
        name = tamper.removeprefix("drop-")
        if tamper.startswith("drop-"):
            signed.params.pop(name, None)
        elif name in signed.params:
            signed.params[name] = "0" * 40
    reply = await wechat.post_raw(signed.params, signed.body)
    # msg_signature is not part of plain mode, so tampering with it there changes nothing.
    if mode == "plain" and tamper.endswith("msg_signature"):
        assert reply.status == 200
        assert len(wechat.bot.calls) == 1
    else:
        assert reply.status == 403
        assert wechat.bot.calls == []


@pytest.mark.parametrize("mode", ["compatible", "safe"])
async def test_ciphertext_swapped_under_valid_query_signature_is_refused(start_channel, mode):
    """The query signature does not cover the body; msg_signature must catch a swapped Encrypt."""
    wechat = await start_channel(mode=mode)
    genuine = sign_push(fixture_xml("text"), mode)
    other = sign_push(fixture_xml("voice"), mode)
    reply = await wechat.post_raw(genuine.params, other.body)
    assert reply.status == 403
    assert wechat.bot.calls == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("offset", [-301, 301])
async def test_stale_timestamps_are_refused(start_channel, mode, offset):
    wechat = await start_channel(mode=mode)
    reply = await wechat.push(fixture_xml("text"), timestamp=int(time.time()) + offset)
    assert reply.status == 403
    assert wechat.bot.calls == []


async def test_timestamp_within_window_is_accepted(start_channel):
    wechat = await start_channel()
    reply = await wechat.push(fixture_xml("text"), timestamp=int(time.time()) - 250)
    assert reply.status == 200


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["malformed", "billion_laughs", "xxe"])
async def test_malformed_and_hostile_xml_is_refused_quickly(start_channel, mode, name):
    wechat = await start_channel(mode=mode)
    started = time.monotonic()
    reply = await wechat.push(fixture_xml(name))
    assert reply.status == 400
    assert time.monotonic() - started < 1.0
    assert wechat.bot.calls == []


async def test_hostile_envelope_in_safe_mode_is_refused(start_channel):
    wechat = await start_channel(mode="safe")
    signed = sign_push(fixture_xml("text"), "safe")
    reply = await wechat.post_raw(signed.params, fixture_xml("billion_laughs").encode())
    assert reply.status == 400
    assert wechat.bot.calls == []


async def test_xml_without_msgtype_is_refused(start_channel):
    wechat = await start_channel()
    reply = await wechat.push("<xml><FromUserName>x</FromUserName></xml>")
    assert reply.status == 400


async def test_oversized_body_is_refused(start_channel):
    wechat = await start_channel()
    huge = fixture_xml("text").replace("创业担保贷款怎么申请？", "长" * 30_000)
    reply = await wechat.push(huge)
    assert reply.status == 413
    assert wechat.bot.calls == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "rasa_text"),
    [
        ("text_fullwidth", "SYB培训补贴多少?3万元"),
        ("voice", "我想预约专家咨询。"),
        ("subscribe", "/greet"),
        ("click", '/ask_policy{"policy":"guaranteed_loan_overview"}'),
    ],
)
async def test_messages_and_events_mapped_to_rasa(start_channel, mode, name, rasa_text):
    wechat = await start_channel(mode=mode)
    reply = await wechat.push(fixture_xml(name))
    assert wechat.reply_content(reply) == f"收到：{rasa_text}"
    assert wechat.bot.texts == [rasa_text]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("name", "prompt"),
    [
        ("text_blank", PROMPT_EMPTY),
        ("voice_unrecognised", PROMPT_VOICE_UNRECOGNISED),
        ("click_unknown", PROMPT_MENU_UNAVAILABLE),
        ("image", PROMPT_TEXT_ONLY),
        ("location", PROMPT_TEXT_ONLY),
        ("video", PROMPT_TEXT_ONLY),
        ("link", PROMPT_TEXT_ONLY),
    ],
)
async def test_prompts_answered_without_rasa(start_channel, mode, name, prompt):
    wechat = await start_channel(mode=mode)
    reply = await wechat.push(fixture_xml(name))
    assert wechat.reply_content(reply) == prompt
    assert wechat.bot.calls == []


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", ["unsubscribe", "view"])
async def test_silent_events_answer_success(start_channel, fake_api, mode, name):
    wechat = await start_channel(mode=mode)
    reply = await wechat.push(fixture_xml(name))
    assert (reply.status, reply.text) == (200, "success")
    assert wechat.bot.calls == []
    assert fake_api.sent == []


async def test_subscribe_payload_is_configurable(start_channel):
    wechat = await start_channel(subscribe_payload="/greet_new_follower")
    await wechat.push(fixture_xml("subscribe"))
    assert wechat.bot.texts == ["/greet_new_follower"]


async def test_rasa_register_mounts_the_channel_at_the_documented_path(fake_api):
    """Rasa's own `register()` (used by `rasa run`) puts the webhook at /webhooks/wechat/webhook."""
    import aiohttp
    from rasa.core.channels.channel import register
    from sanic import Sanic

    from bot.channels.wechat import WeChatInput
    from tests.channels.wechat_harness import FakeBot, base_settings, free_port

    class Agent:  # the only part of Rasa's Agent that register()'s handler touches
        def __init__(self) -> None:
            self.bot = FakeBot()

        async def handle_message(self, message):
            await self.bot(message)

    Sanic.test_mode = True
    app = Sanic("wechat_register_test")
    app.ctx.agent = Agent()
    channel = WeChatInput(base_settings(api_base_url=fake_api.base_url))
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    try:
        signed = sign_push(fixture_xml("text"), "plain")
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/webhooks/wechat/webhook"
            async with http.post(url, params=signed.params, data=signed.body) as resp:
                assert resp.status == 200
                assert "收到：创业担保贷款怎么申请?" in await resp.text()
        assert app.ctx.agent.bot.texts == ["创业担保贷款怎么申请?"]
    finally:
        server.close()
        await server.wait_closed()
        await channel.close()


async def test_disabled_channel_answers_503_and_never_calls_rasa(clean_env_token):
    import aiohttp
    from sanic import Sanic

    from bot.channels.wechat import WeChatInput
    from tests.channels.wechat_harness import FakeBot, free_port

    bot = FakeBot()
    channel = WeChatInput.from_credentials({})
    Sanic.test_mode = True
    app = Sanic("wechat_disabled_test")
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    try:
        # Signed with an empty token, which a careless fallback would accept.
        signed = sign_push(fixture_xml("text"), "plain", token="")
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{port}/webhooks/wechat/webhook"
            async with http.post(url, params=signed.params, data=signed.body) as resp:
                assert resp.status == 503
            async with http.get(url, params={**signed.params, "echostr": "1"}) as resp:
                assert resp.status == 503
        assert bot.calls == []
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture()
def clean_env_token(monkeypatch):
    monkeypatch.delenv("WECHAT_TOKEN", raising=False)
