"""Channel settings from credentials.yml with environment-variable fallbacks.

Every key may be written as `${ENV}` in credentials.yml, and every key falls back to its
environment variable, so the channel can be switched on from the environment alone.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com"
DEFAULT_MENU_FILE = str(Path(__file__).resolve().parent.parent / "wechat_menu.yml")
MODES = ("plain", "compatible", "safe")

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class ConfigError(ValueError):
    pass


class MissingTokenError(ConfigError):
    """No token at all: the channel is simply not configured in this environment."""


@dataclass(frozen=True)
class WeChatSettings:
    token: str
    appid: str = ""
    secret: str = ""
    encoding_aes_key: str = ""
    mode: str = "plain"
    api_base_url: str = DEFAULT_API_BASE_URL
    redis_url: str | None = None
    redis_prefix: str = "haina:wechat:"
    menu_file: str = DEFAULT_MENU_FILE
    subscribe_payload: str = "/greet"
    passive_deadline: float = 3.0
    dedup_ttl: float = 600.0
    buttons_ttl: float = 1800.0
    max_body_bytes: int = 64 * 1024
    timestamp_tolerance: float = 300.0
    log_salt: str = ""

    def __repr__(self) -> str:
        # Hand-written so that secret, token and AES key never reach a log through repr().
        return (
            f"WeChatSettings(appid={self.appid!r}, mode={self.mode!r}, api_base_url={self.api_base_url!r}, "
            f"redis={'yes' if self.redis_url else 'no'})"
        )

    __str__ = __repr__

    @property
    def can_send(self) -> bool:
        """The customer-service API needs appid and secret for the access_token."""
        return bool(self.appid and self.secret)


def _expand(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Rasa's YAML reader already expands ${VAR}; this covers values passed in other ways.
    return _ENV_REF.sub(lambda m: os.environ.get(m.group(1), ""), value).strip()


def _setting(credentials: dict[str, Any], key: str, env: str | None, default: Any = None) -> Any:
    value = _expand(credentials.get(key))
    if value is None or value == "":
        value = os.environ.get(env, "").strip() if env else ""
    return default if value in (None, "") else value


def load_settings(credentials: dict[str, Any] | None) -> WeChatSettings:
    creds = dict(credentials or {})
    token = _setting(creds, "token", "WECHAT_TOKEN", "")
    if not token:
        raise MissingTokenError("WeChat channel needs `token` (or WECHAT_TOKEN)")
    aes_key = _setting(creds, "encoding_aes_key", "WECHAT_ENCODING_AES_KEY", "")
    mode = str(_setting(creds, "mode", "WECHAT_MODE", "safe" if aes_key else "plain")).lower()
    if mode not in MODES:
        raise ConfigError(f"WeChat mode must be one of {MODES}, got {mode!r}")
    appid = _setting(creds, "appid", "WECHAT_APPID", "")
    if mode != "plain" and (len(aes_key) != 43 or not appid):
        raise ConfigError(f"WeChat {mode} mode needs `appid` and a 43-character `encoding_aes_key`")
    return WeChatSettings(
        token=token,
        appid=appid,
        secret=_setting(creds, "secret", "WECHAT_SECRET", ""),
        encoding_aes_key=aes_key,
        mode=mode,
        api_base_url=str(_setting(creds, "api_base_url", "WECHAT_API_BASE_URL", DEFAULT_API_BASE_URL)).rstrip(
            "/"
        ),
        redis_url=_setting(creds, "redis_url", "REDIS_URL", None),
        redis_prefix=_setting(creds, "redis_prefix", "WECHAT_REDIS_PREFIX", "haina:wechat:"),
        menu_file=_setting(creds, "menu_file", "WECHAT_MENU_FILE", DEFAULT_MENU_FILE),
        subscribe_payload=_setting(creds, "subscribe_payload", None, "/greet"),
        passive_deadline=float(_setting(creds, "passive_deadline", None, 3.0)),
        dedup_ttl=float(_setting(creds, "dedup_ttl", None, 600.0)),
        buttons_ttl=float(_setting(creds, "buttons_ttl", None, 1800.0)),
        max_body_bytes=int(_setting(creds, "max_body_bytes", None, 64 * 1024)),
        timestamp_tolerance=float(_setting(creds, "timestamp_tolerance", None, 300.0)),
        log_salt=_setting(creds, "log_salt", "WECHAT_LOG_SALT", ""),
    )
