"""The agent-desk service: accounts, login tokens, and the unanswered-questions log.

All methods are synchronous and short; async servers call them from a worker thread.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from agent_desk import schema
from agent_desk.accounts import ROLES, Agent, IssuedToken, token_hash
from agent_desk.db import make_engine, migrate, resolve_database_url
from agent_desk.errors import AuthenticationError, DuplicateUserError, InvalidInputError
from agent_desk.passwords import DUMMY_HASH, hash_password, verify_password
from agent_desk.unanswered import (
    MAX_TEXT_CHARS,
    UnansweredGroup,
    mask_personal_data,
    normalise_question,
)

log = logging.getLogger("agent_desk")

SESSION_HOURS = 12  # one shift; agents log in again the next day
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
_NAME = re.compile(r"[A-Za-z0-9_.\-]{2,64}")
_CHANNEL = re.compile(r"[a-z0-9_\-]{1,32}")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


class AgentDesk:
    """Accounts and the unanswered log over one engine (the shared project database)."""

    _instances: dict[str, AgentDesk] = {}
    _lock = threading.Lock()

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, database_url: str | None = None, *, reuse: bool = True) -> AgentDesk:
        """Migrated desk for `database_url` (default DATABASE_URL); cached per URL in the process."""
        url = resolve_database_url(database_url)
        with cls._lock:
            if reuse and url in cls._instances:
                return cls._instances[url]
            engine = make_engine(url)
            migrate(engine)
            desk = cls(engine)
            if reuse:
                cls._instances[url] = desk
            return desk

    # -- accounts ------------------------------------------------------------------------------
    def create_user(self, name: str, role: str, password: str) -> Agent:
        name = (name or "").strip()
        if not _NAME.fullmatch(name):
            raise InvalidInputError(
                f"bad user name {name!r}", "用户名须为 2–64 位字母、数字或 _ . -（不含空格和中文）。"
            )
        if role not in ROLES:
            raise InvalidInputError(
                f"bad role {role!r}", "角色只能是 agent（坐席）、admin（管理员）或 policy（政策组）。"
            )
        if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise InvalidInputError(
                "password length", f"密码长度须为 {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} 个字符。"
            )
        now = _utcnow()
        try:
            with self.engine.begin() as conn:
                result = conn.execute(
                    sa.insert(schema.users).values(
                        name=name,
                        role=role,
                        password_hash=hash_password(password),
                        active=True,
                        created_at=now,
                    )
                )
                user_id = result.inserted_primary_key[0]
        except IntegrityError:
            raise DuplicateUserError(f"user {name!r} exists") from None
        log.info("created %s account %s", role, name)
        return Agent(user_id, name, role, True, now)

    def users(self) -> list[Agent]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.users).order_by(schema.users.c.name)).all()
        return [_agent(r) for r in rows]

    def set_password(self, name: str, password: str) -> None:
        if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
            raise InvalidInputError(
                "password length", f"密码长度须为 {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} 个字符。"
            )
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(schema.users.c.id).where(schema.users.c.name == name)).first()
            if row is None:
                raise InvalidInputError(f"no user {name!r}", "没有这个用户。")
            conn.execute(
                sa.update(schema.users)
                .where(schema.users.c.id == row.id)
                .values(password_hash=hash_password(password))
            )
            # A new password ends every session opened with the old one.
            conn.execute(sa.delete(schema.tokens).where(schema.tokens.c.user_id == row.id))

    # -- tokens --------------------------------------------------------------------------------
    def login(
        self, name: str, password: str, *, kind: str = "session", hours: float = SESSION_HOURS
    ) -> IssuedToken:
        """Check the password and issue a token; AuthenticationError for any failure."""
        if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
            raise AuthenticationError("malformed credentials")
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(schema.users).where(schema.users.c.name == name.strip())).first()
        if row is None:
            verify_password(password, DUMMY_HASH)
            raise AuthenticationError("unknown user")
        if not verify_password(password, row.password_hash) or not row.active:
            raise AuthenticationError("wrong password or inactive user")
        return self.issue_token(_agent(row), kind=kind, hours=hours)

    def issue_token(self, agent: Agent, *, kind: str = "api", hours: float = SESSION_HOURS) -> IssuedToken:
        token = secrets.token_urlsafe(32)
        now = _utcnow()
        expires = now + timedelta(hours=hours)
        with self.engine.begin() as conn:
            # Housekeeping on each login keeps the table small without a cron job.
            conn.execute(sa.delete(schema.tokens).where(schema.tokens.c.expires_at < now))
            conn.execute(
                sa.insert(schema.tokens).values(
                    token_hash=token_hash(token),
                    user_id=agent.id,
                    kind=kind,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return IssuedToken(token, agent, kind, expires)

    def user_for_token(self, token: str | None) -> Agent | None:
        """The active agent a valid, unexpired token belongs to; None otherwise."""
        if not token or len(token) > 200:
            return None
        query = (
            sa.select(schema.users)
            .join(schema.tokens, schema.tokens.c.user_id == schema.users.c.id)
            .where(schema.tokens.c.token_hash == token_hash(token), schema.tokens.c.expires_at > _utcnow())
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None or not row.active:
            return None
        return _agent(row)

    def logout(self, token: str | None) -> None:
        if not token:
            return
        with self.engine.begin() as conn:
            conn.execute(sa.delete(schema.tokens).where(schema.tokens.c.token_hash == token_hash(token)))

    # -- unanswered questions ------------------------------------------------------------------
    def record_unanswered(self, text: str, channel: str, when: datetime | None = None) -> int | None:
        """Store a question the assistant could not answer, personal data masked. Returns the row
        id, or None when the text is empty (nothing worth logging)."""
        if not isinstance(text, str):
            raise InvalidInputError("text must be a string")
        channel = (channel or "unknown").strip().lower()
        if not _CHANNEL.fullmatch(channel):
            raise InvalidInputError(f"bad channel {channel!r}")
        masked = mask_personal_data(text).strip()[:MAX_TEXT_CHARS]
        key = normalise_question(masked)
        if not key:
            return None
        with self.engine.begin() as conn:
            result = conn.execute(
                sa.insert(schema.unanswered).values(
                    text=masked,
                    normalised=key,
                    channel=channel,
                    asked_at=_naive_utc(when or datetime.now(timezone.utc)),
                )
            )
            return result.inserted_primary_key[0]

    def unanswered_groups(
        self, *, since: datetime | None = None, limit: int = 100, search: str | None = None
    ) -> list[UnansweredGroup]:
        """Grouped questions, most asked first (then most recent)."""
        t = schema.unanswered
        count = sa.func.count(t.c.id).label("n")
        last = sa.func.max(t.c.asked_at).label("last")
        query = (
            sa.select(t.c.normalised, count, sa.func.min(t.c.asked_at).label("first"), last)
            .group_by(t.c.normalised)
            .order_by(count.desc(), last.desc())
            .limit(max(1, min(limit, 500)))
        )
        if since is not None:
            query = query.where(t.c.asked_at >= _naive_utc(since))
        if search:
            key = normalise_question(search)
            if key:
                query = query.where(t.c.normalised.contains(key, autoescape=True))
        with self.engine.connect() as conn:
            groups = conn.execute(query).all()
            if not groups:
                return []
            keys = [g.normalised for g in groups]
            detail = conn.execute(
                sa.select(t.c.normalised, t.c.text, t.c.channel, t.c.asked_at)
                .where(t.c.normalised.in_(keys))
                .order_by(t.c.asked_at.desc())
            ).all()
        examples: dict[str, str] = {}
        channels: dict[str, list[str]] = {}
        for row in detail:
            if since is not None and row.asked_at < _naive_utc(since):
                continue
            examples.setdefault(row.normalised, row.text)
            seen = channels.setdefault(row.normalised, [])
            if row.channel not in seen:
                seen.append(row.channel)
        return [
            UnansweredGroup(
                g.normalised, examples.get(g.normalised, g.normalised), g.n,
                tuple(sorted(channels.get(g.normalised, ()))), g.first, g.last,
            )
            for g in groups
        ]  # fmt: skip

    def unanswered_total(self, since: datetime | None = None) -> int:
        query = sa.select(sa.func.count(schema.unanswered.c.id))
        if since is not None:
            query = query.where(schema.unanswered.c.asked_at >= _naive_utc(since))
        with self.engine.connect() as conn:
            return int(conn.execute(query).scalar_one())


def _agent(row) -> Agent:
    return Agent(row.id, row.name, row.role, bool(row.active), row.created_at)


def record_unanswered(
    text: str, channel: str, when: datetime | None = None, *, database_url: str | None = None
) -> int | None:
    """Log a question the assistant could not answer (for the policy team's list).

    Call it from the bot's fallback actions with the user's text and the channel name
    ("wechat", "web", "rest"); never pass a sender id — nothing links the question to a person,
    and phone / ID-card numbers in the text are masked. Synchronous (a few ms); from async code
    use `await loop.run_in_executor(None, record_unanswered, text, channel)`. A database failure
    is logged and returns None: losing one log line must never break a reply.
    """
    try:
        return AgentDesk.open(database_url).record_unanswered(text, channel, when)
    except SQLAlchemyError:
        log.exception("could not record an unanswered question")
        return None
