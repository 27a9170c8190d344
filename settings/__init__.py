"""Every environment setting of the project in one typed object (the WeChat channel's own keys excepted:
they are read with credentials.yml in bot/channels/wechat/config.py).

`current()` reads the environment on each call, so a test's monkeypatched variable or a supervisor's
child environment is seen at once; building the object costs microseconds. A bad value stops with a
message naming the variable, in Chinese and English.
"""

from __future__ import annotations

from datetime import date
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseSettings, Field, SecretStr, ValidationError, validator


class SettingsError(ValueError):
    """An environment variable has a value that cannot be used."""


class Settings(BaseSettings):
    database_url: str | None = Field(None, env="DATABASE_URL", description="KB, bookings, agent desk")
    tracker_store_url: str | None = Field(None, env="TRACKER_STORE_URL")
    redis_url: str | None = Field(None, env="REDIS_URL", description="set for several replicas")
    rasa_url: str = Field("http://127.0.0.1:5005", env="RASA_URL", description="for the web pages")
    rasa_port: int = Field(5005, env="RASA_PORT")
    action_port: int = Field(5055, env="ACTION_PORT")
    web_port: int = Field(8000, env="WEB_PORT")
    web_host: str = Field("127.0.0.1", env="WEB_HOST")
    # Rasa and the action server are internal: only the web server and the WeChat webhook (through
    # the proxy in deploy/) face the public. Compose/Kubernetes set 0.0.0.0 on their private network.
    rasa_host: str = Field("127.0.0.1", env="RASA_HOST")
    action_host: str = Field("127.0.0.1", env="ACTION_HOST")
    # Rasa sends it as a bearer token on every action call; the action server refuses calls without
    # it. `python -m bot.cli serve` makes one per run when unset (docs/operations.md "Internal
    # services").
    action_server_token: SecretStr | None = Field(None, env="ACTION_SERVER_TOKEN", min_length=16)
    # HMAC key of the chat widget's server-issued session ids (bot/web/widget_session.py); every
    # web replica needs the same one. Unset: `make run` keeps one in var/.
    widget_session_secret: SecretStr | None = Field(None, env="WIDGET_SESSION_SECRET", min_length=32)
    # The reminder scheduler (bot/scheduler.py): seconds between ticks, its /healthz address.
    scheduler_interval_s: float = Field(30.0, env="SCHEDULER_INTERVAL", gt=0)
    scheduler_port: int = Field(5077, env="SCHEDULER_PORT")
    scheduler_host: str = Field("127.0.0.1", env="SCHEDULER_HOST")
    # A WeChat template whose {{content.DATA}} field carries a reminder; unset: customer-service
    # messages, which WeChat only delivers within 48 hours of the user's last message.
    wechat_reminder_template_id: str = Field("", env="WECHAT_REMINDER_TEMPLATE_ID")
    # Messages per minute on the public chat endpoints (widget API, WeChat), per conversation and
    # per client address (bot/channels/rate_limit.py); 0 switches one off.
    chat_limit_per_sender: int = Field(20, env="HAINA_CHAT_LIMIT_PER_SENDER", ge=0)
    chat_limit_per_address: int = Field(300, env="HAINA_CHAT_LIMIT_PER_ADDRESS", ge=0)
    reference_date: date | None = Field(None, env="HAINA_REFERENCE_DATE", description="'today' for demos")
    models_dir: Path | None = Field(None, env="HAINA_MODELS_DIR")
    turn_yields: bool = Field(True, env="HAINA_TURN_YIELDS", description="0: Rasa's own scheduling")
    service: str = Field("", env="HAINA_SERVICE", description="service name in JSON logs")
    log_format: Literal["text", "json"] = Field("text", env="LOG_FORMAT")
    log_level: str = Field("INFO", env="LOG_LEVEL")
    # Proxies (IPs or CIDRs, comma separated) whose X-Forwarded-For / X-Forwarded-Proto are believed
    # (bot/web/client.py): the client address is the last one in X-Forwarded-For that is not one of
    # them. The login backoff and the chat limits key on it; https through them makes cookies Secure.
    trusted_proxies: str = Field("", env="HAINA_TRUSTED_PROXIES")
    # 1: always mark the console cookie Secure (the site is https only, whatever the proxy says).
    secure_cookies: bool = Field(False, env="HAINA_SECURE_COOKIES")
    # A console session ends after this long without a request (bot/web/auth.py, agent_desk).
    session_idle_minutes: int = Field(30, env="HAINA_SESSION_IDLE_MINUTES", ge=1, le=24 * 60)

    class Config:
        case_sensitive = True

    @validator("*", pre=True)
    def _blank_is_unset(cls, value: Any, field: Any) -> Any:  # noqa: N805 (pydantic validator)
        """An empty variable (`HAINA_REFERENCE_DATE=`) means "not set", as the shell user meant."""
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return field.default
        return value

    @validator("log_format", pre=True)
    def _lower_case(cls, value: Any) -> Any:  # noqa: N805
        return (value.strip().lower() or "text") if isinstance(value, str) else value

    @validator("trusted_proxies")
    def _networks(cls, value: str) -> str:  # noqa: N805
        proxy_networks(value)  # a typo must stop the start, not silently trust nobody
        return value

    def trusted_proxy_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return proxy_networks(self.trusted_proxies)

    @validator("reference_date", pre=True)
    def _iso_date(cls, value: Any) -> Any:  # noqa: N805
        if isinstance(value, str):  # YYYY-MM-DD only (pydantic would also take timestamps)
            return date.fromisoformat(value.strip()) if value.strip() else None
        return value


def proxy_networks(text: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """The networks of "10.0.0.0/8, 127.0.0.1"; ValueError on anything else."""
    return tuple(ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


def current() -> Settings:
    """The settings as the environment holds them now."""
    try:
        return Settings()
    except ValidationError as error:
        names = {
            name: field.field_info.extra.get("env") or name for name, field in Settings.__fields__.items()
        }
        lines = []
        for problem in error.errors():
            name = names.get(str(problem["loc"][0]), str(problem["loc"][0]))
            lines.append(f"环境变量 {name} 的值无法使用 / {name} is invalid: {problem['msg']}")
        raise SettingsError("\n".join(lines)) from None
