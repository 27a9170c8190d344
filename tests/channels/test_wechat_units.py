"""Pure pieces of the WeChat channel: settings, normalisation, rendering, splitting, stores."""

from __future__ import annotations

import asyncio

import pytest
from rasa.shared.exceptions import RasaException

from bot.channels.wechat import WeChatInput
from bot.channels.wechat.channel import DisabledWeChatInput
from bot.channels.wechat.config import DEFAULT_API_BASE_URL, ConfigError, load_settings
from bot.channels.wechat.inbound import choice_number, dedup_id, load_menu
from bot.channels.wechat.outbound import render_messages, split_text
from bot.channels.wechat.security import Rejected, parse_xml_fields
from bot.channels.wechat.store import MemoryStore, RedisStore
from tests.channels.wechat_harness import AES_KEY, APPID, OPENID, SECRET, TOKEN, fixture_xml

ENV_KEYS = [
    "WECHAT_APPID",
    "WECHAT_SECRET",
    "WECHAT_TOKEN",
    "WECHAT_ENCODING_AES_KEY",
    "WECHAT_MODE",
    "WECHAT_API_BASE_URL",
    "REDIS_URL",
    "WECHAT_LOG_SALT",
]


@pytest.fixture()
def clean_env(monkeypatch):
    for key in ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    return monkeypatch


def test_settings_from_environment_alone(clean_env):
    clean_env.setenv("WECHAT_APPID", APPID)
    clean_env.setenv("WECHAT_SECRET", SECRET)
    clean_env.setenv("WECHAT_TOKEN", TOKEN)
    clean_env.setenv("WECHAT_ENCODING_AES_KEY", AES_KEY)
    settings = load_settings(None)
    assert (settings.appid, settings.secret, settings.token, settings.encoding_aes_key) == (
        APPID,
        SECRET,
        TOKEN,
        AES_KEY,
    )
    assert settings.mode == "safe"  # an AES key implies safe mode unless told otherwise
    assert settings.api_base_url == DEFAULT_API_BASE_URL
    assert settings.redis_url is None
    assert settings.passive_deadline == 3.0
    assert settings.menu_file.endswith("bot/channels/wechat_menu.yml")


def test_credentials_win_over_env_and_expand_references(clean_env):
    clean_env.setenv("WECHAT_TOKEN", "env-token")
    clean_env.setenv("MY_REDIS", "redis://127.0.0.1:6379/3")
    settings = load_settings(
        {
            "token": "yaml-token",
            "mode": "plain",
            "redis_url": "${MY_REDIS}",
            "api_base_url": "http://127.0.0.1:1/",
            "passive_deadline": "0.5",
        }
    )
    assert settings.token == "yaml-token"
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.api_base_url == "http://127.0.0.1:1"
    assert settings.passive_deadline == 0.5


def test_unset_reference_falls_back_to_the_env_variable(clean_env):
    clean_env.setenv("WECHAT_TOKEN", "env-token")
    assert load_settings({"token": "${NOT_SET_ANYWHERE}"}).token == "env-token"


@pytest.mark.parametrize(
    "credentials",
    [
        {"token": "t", "mode": "loud"},
        {"token": "t", "mode": "safe", "appid": APPID, "encoding_aes_key": "short"},
    ],
)
def test_invalid_settings_are_refused(clean_env, credentials):
    with pytest.raises(ConfigError):
        load_settings(credentials)
    with pytest.raises(RasaException):
        WeChatInput.from_credentials(credentials)


def test_without_token_the_channel_is_disabled_not_fatal(clean_env):
    with pytest.raises(ConfigError):
        load_settings({})
    channel = WeChatInput.from_credentials(None)
    assert isinstance(channel, DisabledWeChatInput)
    assert channel.name() == "wechat"


def test_settings_repr_hides_secrets(clean_env):
    settings = load_settings({"token": TOKEN, "secret": SECRET, "appid": APPID, "encoding_aes_key": AES_KEY})
    for text in (repr(settings), str(settings)):
        assert TOKEN not in text and SECRET not in text and AES_KEY not in text


def test_channel_name_gives_the_webhook_path(clean_env):
    channel = WeChatInput.from_credentials({"token": TOKEN, "mode": "plain"})
    assert channel.name() == "wechat" and channel.url_prefix() == "wechat"


def test_default_menu_table():
    menu = load_menu("bot/channels/wechat_menu.yml")
    assert menu["POLICY_LOAN"] == '/ask_policy{"policy":"guaranteed_loan_overview"}'
    assert menu["BOOK_EXPERT"] == "/book_consultation"
    assert menu["MY_BOOKINGS"] == "/my_bookings"
    assert load_menu("does/not/exist.yml") == {}


@pytest.mark.parametrize(
    ("text", "number"), [("1", 1), ("１", 1), ("1.", 1), ("２、", 2), ("12", 12), (" 3 ", 3)]
)
def test_choice_numbers(text, number):
    assert choice_number(text) == number


@pytest.mark.parametrize("text", ["", "1万元", "第1个", "1.5", "一"])
def test_not_choice_numbers(text):
    assert choice_number(text) is None


def test_event_dedup_id_hides_the_openid():
    fields = parse_xml_fields(fixture_xml("subscribe"))
    key = dedup_id(fields)
    assert key.startswith("evt:") and OPENID not in key
    assert dedup_id(parse_xml_fields(fixture_xml("text"))) == "msg:24411000000000001"


def test_render_buttons_links_images_and_custom():
    rendered = render_messages(
        [
            {
                "text": "请选择：",
                "buttons": [
                    {"title": "创业担保贷款", "payload": "/a"},
                    {"title": "政策原文", "type": "web_url", "url": "https://example.org/p"},
                ],
            },
            {"image": "https://example.org/chart.png"},
            {"text": "更多：", "buttons": [{"title": "预约专家", "payload": "/book_consultation"}]},
            {"custom": {"links": [{"title": "办事指南", "url": "https://example.org/g"}]}},
        ]
    )
    assert rendered.text == (
        "请选择：\n回复数字选择：\n1. 创业担保贷款\n· 政策原文：https://example.org/p\n\n"
        "图片：https://example.org/chart.png\n\n"
        "更多：\n回复数字选择：\n2. 预约专家\n\n"
        "办事指南：https://example.org/g"
    )
    assert rendered.payloads == ["/a", "/book_consultation"]


def test_split_respects_byte_limit_and_multibyte_characters():
    text = "政" * 2000  # 6000 bytes, no break opportunities
    chunks = split_text(text, 2048)
    assert "".join(chunks) == text
    assert all(len(chunk.encode()) <= 2048 for chunk in chunks)
    assert [len(chunk) for chunk in chunks] == [682, 682, 636]


def test_split_prefers_paragraph_then_line_breaks():
    paragraph = "甲" * 400  # 1200 bytes
    chunks = split_text(f"{paragraph}\n{paragraph}\n\n{paragraph}", 2500)
    assert chunks == [f"{paragraph}\n{paragraph}", paragraph]
    assert split_text("短消息") == ["短消息"]
    assert split_text("  ") == []


@pytest.mark.parametrize("name", ["billion_laughs", "xxe"])
def test_parser_refuses_dtds(name):
    with pytest.raises(Rejected) as info:
        parse_xml_fields(fixture_xml(name))
    assert info.value.status == 400


async def test_memory_store_ttl_and_nx():
    store = MemoryStore()
    assert await store.set_nx("k", "1", 0.1)
    assert not await store.set_nx("k", "2", 0.1)
    assert await store.get("k") == "1"
    await asyncio.sleep(0.15)
    assert await store.get("k") is None
    assert await store.set_nx("k", "3", 10)
    assert not await store.delete_if_equals("k", "1")
    assert await store.delete_if_equals("k", "3")


@pytest.mark.redis
async def test_redis_store_ttl_nx_and_prefix(redis_url, redis_prefix):
    import redis

    store = RedisStore(redis_url, redis_prefix)
    try:
        assert await store.set_nx("dedup:x", "pending", 0.2)
        assert not await store.set_nx("dedup:x", "pending", 0.2)
        assert redis.Redis.from_url(redis_url).get(f"{redis_prefix}dedup:x") == b"pending"
        await asyncio.sleep(0.3)
        assert await store.get("dedup:x") is None
        await store.set("token", "T2", 10)
        assert not await store.delete_if_equals("token", "T1")
        assert await store.get("token") == "T2"
        assert await store.delete_if_equals("token", "T2")
    finally:
        await store.close()
