"""The agent-desk service: accounts, login tokens, and the unanswered-questions log.

Domain rules only: every SQL statement is in `agent_desk.repository`. Each public method is one
use case and one transaction (`UnitOfWork`), committed before the method returns.
All methods are synchronous and short; async servers call them from a worker thread.

One desk per database URL and process: `shared_desk(url)`, cached with `functools.cache` on the
resolved URL like `consultations.shared_service` and `policies_kb.kb.shared_kb`;
`shared_desk.cache_clear()` forgets them (tests). `AgentDesk.open(url, reuse=False)` builds a desk
of one's own.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import secrets
import threading
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

import settings
from agent_desk.accounts import ROLES, Agent, IssuedToken, token_hash
from agent_desk.db import make_engine, migrate, resolve_database_url
from agent_desk.errors import AuthenticationError, DuplicateUserError, InvalidInputError, LoginThrottledError
from agent_desk.passwords import DUMMY_HASH, hash_password, verify_password, weakness
from agent_desk.repository import Repository, UnitOfWork
from agent_desk.unanswered import (
    MAX_TEXT_CHARS,
    UnansweredGroup,
    mask_personal_data,
    normalise_question,
)

log = logging.getLogger("agent_desk")

SESSION_HOURS = 12  # one shift; agents log in again the next day
TOUCH_EVERY = timedelta(minutes=1)  # how stale a session's last-use time may be (one write a minute)
MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
MAX_GROUPS = 500
_NAME = re.compile(r"[A-Za-z0-9_.\-]{2,64}")
_CHANNEL = re.compile(r"[a-z0-9_\-]{1,32}")

# Failed logins are counted per account name and client address. After FREE_FAILURES the next try
# waits, twice as long after each further failure, at most MAX_WAIT: a backoff, never a lock, and
# failures under other names or from other addresses never delay a correct password.
FREE_FAILURES = 5
FIRST_WAIT = timedelta(seconds=30)
MAX_WAIT = timedelta(minutes=15)
FORGET_FAILURES_AFTER = timedelta(hours=1)
MAX_FAILURE_ROWS = 10_000


def login_wait(failures: int) -> timedelta:
    """How long after its last failure an account may try again from the same address."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_WAIT * 2 ** min(failures - FREE_FAILURES, 20), MAX_WAIT)


def _wait_text(seconds: int) -> str:
    return f"{seconds} 秒" if seconds < 60 else f"{math.ceil(seconds / 60)} 分钟"


def _utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _naive_utc(when: datetime) -> datetime:
    return when.astimezone(timezone.utc).replace(tzinfo=None) if when.tzinfo else when


def _check_password(password: object) -> None:
    if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise InvalidInputError(
            "password length", f"密码长度须为 {MIN_PASSWORD_CHARS}–{MAX_PASSWORD_CHARS} 个字符。"
        )
    problem = weakness(password)
    if problem:
        raise InvalidInputError("weak password", problem)


class AgentDesk:
    """Accounts and the unanswered log over one engine (the shared project database)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def open(cls, database_url: str | None = None, *, reuse: bool = True) -> AgentDesk:
        """Migrated desk for `database_url` (default DATABASE_URL): the process's shared desk
        (`shared_desk`), or with `reuse=False` a new one on its own engine."""
        if reuse:
            return shared_desk(database_url)
        engine = make_engine(resolve_database_url(database_url))
        migrate(engine)
        return cls(engine)

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
        _check_password(password)
        now = _utcnow()
        try:
            with UnitOfWork(self.engine, write=True) as repo:
                user_id = repo.insert_user(name, role, hash_password(password), now)
        except IntegrityError:
            raise DuplicateUserError(f"user {name!r} exists") from None
        log.info("created %s account %s", role, name)
        return Agent(user_id, name, role, True, now)

    def users(self) -> list[Agent]:
        with UnitOfWork(self.engine) as repo:
            return repo.users()

    def set_password(self, name: str, password: str) -> None:
        _check_password(password)
        with UnitOfWork(self.engine, write=True) as repo:
            user_id = self._user_id(repo, name)
            repo.set_password_hash(user_id, hash_password(password))
            # A new password ends every session opened with the old one.
            repo.delete_user_tokens(user_id)

    def set_active(self, name: str, active: bool) -> int:
        """Deactivate (or reactivate) an account; deactivating ends its sessions and API tokens at
        once. Returns the number of tokens ended."""
        with UnitOfWork(self.engine, write=True) as repo:
            user_id = self._user_id(repo, name)
            repo.set_active(user_id, active)
            ended = 0 if active else repo.delete_user_tokens(user_id)
        log.info("%s account %s", "activated" if active else "deactivated", name)
        return ended

    def end_sessions(self, name: str | None = None) -> int:
        """End every session and API token of `name`, or of every account when None. The count."""
        with UnitOfWork(self.engine, write=True) as repo:
            if name is None:
                return sum(repo.delete_user_tokens(agent.id) for agent in repo.users())
            return repo.delete_user_tokens(self._user_id(repo, name))

    def unlock(self, name: str) -> int:
        """Forget the failed logins of `name` from every address (an admin's unlock)."""
        with UnitOfWork(self.engine, write=True) as repo:
            return repo.delete_login_failures(name.strip().lower())

    @staticmethod
    def _user_id(repo: Repository, name: str) -> int:
        user_id = repo.user_id((name or "").strip())
        if user_id is None:
            raise InvalidInputError(f"no user {name!r}", "没有这个用户。")
        return user_id

    # -- tokens --------------------------------------------------------------------------------
    def login(
        self,
        name: str,
        password: str,
        *,
        kind: str = "session",
        hours: float = SESSION_HOURS,
        address: str | None = None,
    ) -> IssuedToken:
        """Check the password and issue a token; AuthenticationError for any failure, its subclass
        LoginThrottledError (with `retry_after` seconds) while this name and client address wait."""
        if not isinstance(name, str) or not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
            raise AuthenticationError("malformed credentials")
        name = name.strip()
        key, where = name.lower()[:64], (address or "-")[:64]
        now = _utcnow()
        with UnitOfWork(self.engine) as repo:
            failures = repo.login_failures(key, where)
            stored = repo.user_by_name(name)
        count = failures.failures if failures and now - failures.last_failed_at < FORGET_FAILURES_AFTER else 0
        if count:
            wait = failures.last_failed_at + login_wait(count) - now  # type: ignore[union-attr]
            if wait > timedelta(0):
                seconds = math.ceil(wait.total_seconds())
                raise LoginThrottledError(
                    f"{count} failed logins, wait {seconds} s",
                    f"登录失败次数过多，请 {_wait_text(seconds)}后再试；如急需登录，请联系管理员解锁。",
                    retry_after=seconds,
                )
        if stored is None:
            verify_password(password, DUMMY_HASH)
        if stored is None or not verify_password(password, stored.password_hash) or not stored.agent.active:
            self._login_failed(key, where, count + 1, now)
            raise AuthenticationError("unknown user, wrong password or inactive user")
        if failures:
            with UnitOfWork(self.engine, write=True) as repo:
                repo.delete_login_failures(key, where)
        return self.issue_token(stored.agent, kind=kind, hours=hours)

    def _login_failed(self, name: str, address: str, failures: int, now: datetime) -> None:
        try:
            with UnitOfWork(self.engine, write=True) as repo:
                repo.save_login_failures(name, address, failures, now)
                repo.prune_login_failures(now - FORGET_FAILURES_AFTER, MAX_FAILURE_ROWS)
        except IntegrityError:
            pass  # a concurrent failure of the same name and address was counted instead

    def issue_token(self, agent: Agent, *, kind: str = "api", hours: float = SESSION_HOURS) -> IssuedToken:
        token = secrets.token_urlsafe(32)
        now = _utcnow()
        expires = now + timedelta(hours=hours)
        with UnitOfWork(self.engine, write=True) as repo:
            # Housekeeping on each login keeps the table small without a cron job.
            repo.delete_expired_tokens(now)
            repo.insert_token(token_hash(token), agent.id, kind, now, expires)
        return IssuedToken(token, agent, kind, expires)

    def user_for_token(self, token: str | None, *, idle_minutes: int | None = None) -> Agent | None:
        """The active agent a valid, unexpired token belongs to; None otherwise. A console session
        (kind "session") also ends after `idle_minutes` without use (HAINA_SESSION_IDLE_MINUTES)."""
        if not token or len(token) > 200:
            return None
        hashed, now = token_hash(token), _utcnow()
        with UnitOfWork(self.engine) as repo:
            stored = repo.token(hashed, now)
        if stored is None or not stored.agent.active:
            return None
        if stored.kind == "session":
            idle = timedelta(minutes=idle_minutes or settings.current().session_idle_minutes)
            if now - stored.last_used_at >= idle:
                self.logout(token)
                return None
            if now - stored.last_used_at >= TOUCH_EVERY:
                with UnitOfWork(self.engine, write=True) as repo:
                    repo.touch_token(hashed, now)
        return stored.agent

    def logout(self, token: str | None) -> None:
        if not token:
            return
        with UnitOfWork(self.engine, write=True) as repo:
            repo.delete_token(token_hash(token))

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
        asked_at = _naive_utc(when or datetime.now(timezone.utc))
        with UnitOfWork(self.engine, write=True) as repo:
            return repo.insert_unanswered(masked, key, channel, asked_at)

    def unanswered_groups(
        self, *, since: datetime | None = None, limit: int = 100, search: str | None = None
    ) -> list[UnansweredGroup]:
        """Grouped questions, most asked first (then most recent)."""
        with UnitOfWork(self.engine) as repo:
            return repo.unanswered_groups(
                since=_naive_utc(since) if since is not None else None,
                limit=max(1, min(limit, MAX_GROUPS)),
                containing=normalise_question(search) if search else None,
            )

    def unanswered_total(self, since: datetime | None = None) -> int:
        with UnitOfWork(self.engine) as repo:
            return repo.count_unanswered(_naive_utc(since) if since is not None else None)


_shared_lock = threading.Lock()  # two threads asking first must not open (and migrate) twice


def shared_desk(database_url: str | None = None) -> AgentDesk:
    """The process's desk for `database_url` (default DATABASE_URL), opened and migrated once.
    `shared_desk.cache_clear()` forgets the desks (tests that drop or switch databases); their
    engines are not disposed, a caller may still hold one."""
    url = resolve_database_url(database_url)
    with _shared_lock:
        return _shared_desk(url)


@functools.cache
def _shared_desk(url: str) -> AgentDesk:
    engine = make_engine(url)
    migrate(engine)
    return AgentDesk(engine)


shared_desk.cache_clear = _shared_desk.cache_clear  # type: ignore[attr-defined]


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
        return shared_desk(database_url).record_unanswered(text, channel, when)
    except SQLAlchemyError:
        log.exception("could not record an unanswered question")
        return None
