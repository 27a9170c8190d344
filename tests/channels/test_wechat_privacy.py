"""openid is personal data and the credentials are secrets: neither may reach the logs."""

from __future__ import annotations

import asyncio
import logging

from tests.channels.wechat_harness import AES_KEY, OPENID, SECRET, TOKEN, fixture_xml, sign_push, text_xml


async def test_logs_hold_no_secrets_or_openids(start_channel, fake_api, caplog):
    caplog.set_level(logging.DEBUG)
    wechat = await start_channel(mode="safe", passive_deadline=0.2)
    for name in ("text", "subscribe", "click_unknown", "image", "unsubscribe", "xxe", "malformed"):
        await wechat.push(fixture_xml(name))
    await wechat.push(fixture_xml("text"))  # a retry
    forged = sign_push(fixture_xml("voice"), "safe", token="wrong")
    await wechat.post_raw(forged.params, forged.body)

    wechat.bot.delay = 0.3  # slow turn: token fetch and customer-service send
    await wechat.push(text_xml("慢问题", 9800))
    await fake_api.wait_sent(1)
    fake_api.expire_tokens()
    fake_api.fail_next = [45015]
    await wechat.push(text_xml("再问", 9801))
    await asyncio.sleep(0.6)
    wechat.bot.fail = True
    wechat.bot.delay = 0
    await wechat.push(text_xml("出错", 9802))

    assert fake_api.token_fetches == 2  # the flow did exercise refresh and error paths
    assert "errcode=45015" in caplog.text
    assert wechat.channel.user_ref(OPENID) in caplog.text  # the hash stands in for the openid
    for secret in (SECRET, TOKEN, AES_KEY, OPENID, "ACCESS_TOKEN_1", "ACCESS_TOKEN_2"):
        assert secret not in caplog.text, f"{secret[:6]}… leaked into the logs"
