"""Exactly-once processing, the 5-second rule, the customer-service API and the access_token."""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
import pytest

from bot.channels.wechat.inbound import REPLY_ERROR
from bot.channels.wechat.outbound import MAX_TEXT_BYTES
from consultations.identity import wechat_user
from tests.channels.wechat_harness import OPENID, fixture_xml, sign_push, text_xml

pytestmark = pytest.mark.redis  # the store_factory fixture runs each test on Redis and in-process


async def _settle(seconds: float = 0.1) -> None:
    await asyncio.sleep(seconds)


async def test_retries_sent_one_after_another_are_processed_once(start_channel, store_factory, fake_api):
    wechat = await start_channel(store=store_factory())
    replies = [await wechat.push(fixture_xml("text")) for _ in range(4)]
    assert wechat.bot.texts == ["创业担保贷款怎么申请?"]
    # A retry after a passive answer gets that same answer again (WeChat shows one per message).
    assert {wechat.reply_content(reply) for reply in replies} == {"收到：创业担保贷款怎么申请?"}
    await _settle()
    assert fake_api.sent == []


async def test_concurrent_deliveries_to_two_replicas_are_processed_and_answered_once(
    start_channel, store_factory, fake_api
):
    replica_a = await start_channel(store=store_factory())
    replica_b = await start_channel(store=store_factory(), bot=replica_a.bot)
    replica_a.bot.delay = 0.2  # still inside the passive deadline
    replicas = [replica_a, replica_b, replica_a, replica_b]
    replies = await asyncio.gather(*(r.push(fixture_xml("text")) for r in replicas))
    assert len(replica_a.bot.calls) == 1
    answered = [reply for reply in replies if reply.text != "success"]
    assert len(answered) == 1
    assert replica_a.reply_content(answered[0]) == "收到：创业担保贷款怎么申请?"
    await _settle(0.3)
    assert fake_api.sent == []


@pytest.mark.parametrize("mode", ["plain", "safe"])
async def test_slow_turn_answers_success_then_uses_customer_service_api(
    start_channel, store_factory, fake_api, mode
):
    wechat = await start_channel(store=store_factory(), mode=mode, passive_deadline=0.3)
    wechat.bot.delay = 0.8
    started = time.monotonic()
    first = await wechat.push(fixture_xml("text"))
    assert (first.status, first.text) == (200, "success")
    assert time.monotonic() - started < 0.7
    # WeChat's retries while the turn is running, and after it was delivered, change nothing.
    retries = [await wechat.push(fixture_xml("text")) for _ in range(2)]
    sent = await fake_api.wait_sent(1)
    retries.append(await wechat.push(fixture_xml("text")))
    assert [reply.text for reply in retries] == ["success"] * 3
    await _settle(0.2)
    assert sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "收到：创业担保贷款怎么申请?"}}]
    assert len(wechat.bot.calls) == 1
    assert fake_api.token_fetches == 1


async def test_concurrent_slow_deliveries_send_one_customer_service_message(
    start_channel, store_factory, fake_api
):
    wechat = await start_channel(store=store_factory(), passive_deadline=0.2)
    wechat.bot.delay = 0.5
    replies = await asyncio.gather(*(wechat.push(fixture_xml("voice")) for _ in range(4)))
    assert [reply.text for reply in replies] == ["success"] * 4
    await fake_api.wait_sent(1)
    await _settle(0.3)
    assert len(fake_api.sent) == 1
    assert wechat.bot.texts == ["我想预约专家咨询。"]


async def test_events_are_deduplicated_by_sender_and_create_time(start_channel, store_factory):
    wechat = await start_channel(store=store_factory())
    for _ in range(3):
        await wechat.push(fixture_xml("subscribe"))
    await wechat.push(fixture_xml("click"))
    assert wechat.bot.texts == ["/greet", '/ask_policy{"policy":"guaranteed_loan_overview"}']


async def test_distinct_messages_are_all_processed(start_channel, store_factory):
    wechat = await start_channel(store=store_factory())
    for msg_id in (9001, 9002, 9003):
        await wechat.push(text_xml(f"问题{msg_id}", msg_id))
    assert wechat.bot.texts == ["问题9001", "问题9002", "问题9003"]


async def test_expired_token_is_refreshed_once_and_the_send_retried(start_channel, store_factory, fake_api):
    wechat = await start_channel(store=store_factory())
    assert await wechat.channel.api.send_text(OPENID, "第一条")
    fake_api.expire_tokens()
    assert await wechat.channel.api.send_text(OPENID, "第二条")
    assert fake_api.rejected_tokens == ["ACCESS_TOKEN_1"]
    assert fake_api.token_fetches == 2
    assert [m["text"]["content"] for m in fake_api.sent] == ["第一条", "第二条"]


async def test_two_replicas_share_the_token_and_refresh_it_once(start_channel, store_factory, fake_api):
    replica_a = await start_channel(store=store_factory())
    replica_b = await start_channel(store=store_factory())
    fake_api.fetch_delay = 0.2  # widen the window in which both replicas want a token
    await asyncio.gather(
        replica_a.channel.api.send_text(OPENID, "a1"), replica_b.channel.api.send_text(OPENID, "b1")
    )
    assert fake_api.token_fetches == 1
    fake_api.expire_tokens()
    results = await asyncio.gather(
        replica_a.channel.api.send_text(OPENID, "a2"), replica_b.channel.api.send_text(OPENID, "b2")
    )
    assert results == [True, True]
    assert fake_api.token_fetches == 2
    assert sorted(m["text"]["content"] for m in fake_api.sent) == ["a1", "a2", "b1", "b2"]


async def test_a_replica_drops_its_copy_of_a_token_another_replica_replaced(
    start_channel, store_factory, fake_api
):
    replica_a = await start_channel(store=store_factory())
    replica_b = await start_channel(store=store_factory())
    assert await replica_a.channel.api.send_text(OPENID, "a1")  # A now keeps ACCESS_TOKEN_1 itself
    fake_api.expire_tokens()
    assert await replica_b.channel.api.send_text(OPENID, "b1")  # B replaces it with ACCESS_TOKEN_2
    assert await replica_a.channel.api.send_text(OPENID, "a2")
    assert fake_api.rejected_tokens == ["ACCESS_TOKEN_1", "ACCESS_TOKEN_1"]
    assert fake_api.token_fetches == 2
    assert [m["text"]["content"] for m in fake_api.sent] == ["a1", "b1", "a2"]


async def test_api_errors_are_logged_without_crashing(start_channel, fake_api, caplog):
    caplog.set_level(logging.INFO)
    wechat = await start_channel(passive_deadline=0.2)
    wechat.bot.delay = 0.4
    fake_api.fail_next = [45015]
    assert (await wechat.push(fixture_xml("text"))).text == "success"
    await asyncio.sleep(0.6)
    assert fake_api.sent == []
    assert "errcode=45015" in caplog.text
    # The channel keeps working afterwards.
    wechat.bot.delay = 0
    assert wechat.reply_content(await wechat.push(text_xml("你好", 9100))) == "收到：你好"


async def test_unreachable_api_is_logged_without_crashing(start_channel, caplog):
    wechat = await start_channel(api_base_url="http://127.0.0.1:9", passive_deadline=0.1)
    wechat.bot.delay = 0.2
    assert (await wechat.push(fixture_xml("text"))).text == "success"
    await asyncio.sleep(0.5)
    assert "ClientConnectorError" in caplog.text


async def test_without_api_credentials_a_retry_fetches_the_late_answer(start_channel, fake_api):
    wechat = await start_channel(secret="", passive_deadline=0.2)
    wechat.bot.delay = 0.4
    assert (await wechat.push(fixture_xml("text"))).text == "success"
    await asyncio.sleep(0.5)
    # WeChat's next retry picks up the answer passively, as the customer-service API is unavailable.
    assert wechat.reply_content(await wechat.push(fixture_xml("text"))) == "收到：创业担保贷款怎么申请?"
    assert fake_api.token_fetches == 0
    assert len(wechat.bot.calls) == 1


async def test_buttons_become_a_numbered_list_and_numbers_map_back(start_channel, store_factory):
    wechat = await start_channel(store=store_factory())
    wechat.bot.replies["补贴"] = [
        {
            "text": "您想了解哪项政策？",
            "buttons": [
                {"title": "创业担保贷款", "payload": '/ask_policy{"policy":"guaranteed_loan_overview"}'},
                {"title": "一次性创业补贴", "payload": '/ask_policy{"policy":"startup_subsidy"}'},
            ],
        }
    ]
    reply = await wechat.push(text_xml("补贴", 9200))
    assert (
        wechat.reply_content(reply)
        == "您想了解哪项政策？\n回复数字选择：\n1. 创业担保贷款\n2. 一次性创业补贴"
    )
    await wechat.push(text_xml("2", 9201))
    assert wechat.bot.texts[-1] == '/ask_policy{"policy":"startup_subsidy"}'
    # That answer had no buttons, so the old mapping is gone and "1" is plain text again.
    await wechat.push(text_xml("1", 9202))
    assert wechat.bot.texts[-1] == "1"


@pytest.mark.parametrize("choice", ["１", "1.", " 1、", "１．"])
async def test_number_variants_map_to_the_first_button(start_channel, choice):
    wechat = await start_channel()
    wechat.bot.replies["预约"] = [
        {"text": "请选择：", "buttons": [{"title": "预约专家", "payload": "/book_consultation"}]}
    ]
    await wechat.push(text_xml("预约", 9300))
    await wechat.push(text_xml(choice, 9301))
    assert wechat.bot.texts[-1] == "/book_consultation"


async def test_out_of_range_number_is_sent_as_text(start_channel):
    wechat = await start_channel()
    wechat.bot.replies["预约"] = [
        {"text": "请选择：", "buttons": [{"title": "预约专家", "payload": "/book_consultation"}]}
    ]
    await wechat.push(text_xml("预约", 9400))
    await wechat.push(text_xml("7", 9401))
    assert wechat.bot.texts[-1] == "7"


async def test_all_bot_messages_merge_into_one_passive_reply(start_channel):
    wechat = await start_channel()
    wechat.bot.replies["你好"] = [
        {"text": "您好！我是海纳百创政策助手。"},
        {"text": "我可以：\n· 查询创业政策\n· 预约专家咨询"},
        {"custom": {"text": "政策原文", "url": "https://example.org/policy"}},
    ]
    content = wechat.reply_content(await wechat.push(text_xml("你好", 9500)))
    assert content == (
        "您好！我是海纳百创政策助手。\n\n我可以：\n· 查询创业政策\n· 预约专家咨询\n\n政策原文\nhttps://example.org/policy"
    )


async def test_long_answer_is_split_passive_first_then_customer_service(start_channel, fake_api):
    wechat = await start_channel()
    paragraphs = [f"第{i}段：" + "创业担保贷款政策说明。" * 30 for i in range(8)]
    wechat.bot.replies["长"] = [{"text": "\n".join(paragraphs)}]
    first = wechat.reply_content(await wechat.push(text_xml("长", 9600)))
    rest = [m["text"]["content"] for m in await fake_api.wait_sent(1)]
    await _settle(0.3)
    rest = [m["text"]["content"] for m in fake_api.sent]
    chunks = [first, *rest]
    assert len(chunks) > 1
    assert all(len(chunk.encode()) <= MAX_TEXT_BYTES for chunk in chunks)
    assert "\n".join(chunks) == "\n".join(paragraphs)  # split on line boundaries, nothing lost


async def test_bot_failure_gives_a_polite_error(start_channel):
    wechat = await start_channel()
    wechat.bot.fail = True
    assert wechat.reply_content(await wechat.push(fixture_xml("text"))) == REPLY_ERROR


async def test_silent_turn_answers_success(start_channel):
    wechat = await start_channel()
    wechat.bot.replies["嗯"] = []
    assert (await wechat.push(text_xml("嗯", 9700))).text == "success"


async def test_output_channel_pushes_through_customer_service_api(start_channel, store_factory, fake_api):
    """Rasa uses get_output_channel() for reminders and trigger_intent outside a WeChat request."""
    wechat = await start_channel(store=store_factory())
    output = wechat.channel.get_output_channel()
    await output.send_response(
        wechat_user(OPENID),
        {
            "text": "您的专家咨询明天上午10点开始。",
            "buttons": [{"title": "取消预约", "payload": "/cancel_booking"}],
        },
    )
    await output.send_text_message(wechat_user(OPENID), "祝您创业顺利！")
    await output.send_text_message(OPENID, "不是本渠道的会话")  # a raw openid is another channel's id
    assert [m["text"]["content"] for m in fake_api.sent] == [
        "您的专家咨询明天上午10点开始。\n回复数字选择：\n1. 取消预约",
        "祝您创业顺利！",
    ]
    await wechat.push(text_xml("1", 9900))
    assert wechat.bot.texts == ["/cancel_booking"]


async def test_answer_survives_wechat_hanging_up_before_the_deadline(start_channel, store_factory, fake_api):
    wechat = await start_channel(store=store_factory(), passive_deadline=2.0)
    wechat.bot.delay = 0.6
    signed = sign_push(fixture_xml("text"), "plain")
    with pytest.raises(asyncio.TimeoutError):
        async with wechat.http.post(
            f"{wechat.base_url}/webhooks/wechat/webhook",
            params=signed.params,
            data=signed.body,
            timeout=aiohttp.ClientTimeout(total=0.2),
        ):
            pass
    sent = await fake_api.wait_sent(1)
    assert [m["text"]["content"] for m in sent] == ["收到：创业担保贷款怎么申请?"]
    # WeChat's retry must neither re-run the turn nor get a second answer.
    assert (await wechat.push(fixture_xml("text"))).text == "success"
    assert len(wechat.bot.calls) == 1
