"""Data access for the agent desk: every SQL statement of the package lives here.

`UnitOfWork` is one database transaction. The desk opens one per use case, so either all of a
use case's writes are committed before it reports success, or none are (the same house style as
`consultations.repository`). The repository returns the package's plain types; it validates
nothing and decides nothing: that is `agent_desk.desk`'s job.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

import storage
from agent_desk.accounts import Agent
from agent_desk.schema import login_failures, tokens, unanswered, users
from agent_desk.unanswered import UnansweredGroup


@dataclass(frozen=True)
class StoredToken:
    """A valid token's owner (active or not), its kind and when it was last used (or issued)."""

    agent: Agent
    kind: str
    last_used_at: datetime


@dataclass(frozen=True)
class LoginFailures:
    failures: int
    last_failed_at: datetime


@dataclass(frozen=True)
class StoredUser:
    """An account as stored: the agent and the password hash, which never leaves the package."""

    agent: Agent
    password_hash: str


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- users ---------------------------------------------------------------------------------
    def insert_user(self, name: str, role: str, password_hash: str, created_at: datetime) -> int:
        """The new user's id; IntegrityError when the name is taken."""
        # SQLAlchemy 1.4 has no RETURNING for SQLite; inserted_primary_key works on both.
        result = self.session.execute(
            insert(users).values(
                name=name, role=role, password_hash=password_hash, active=True, created_at=created_at
            )
        )
        return int(result.inserted_primary_key[0])

    def users(self) -> list[Agent]:
        return [_agent(row) for row in self.session.execute(select(users).order_by(users.c.name))]

    def user_by_name(self, name: str) -> StoredUser | None:
        row = self.session.execute(select(users).where(users.c.name == name)).first()
        return StoredUser(_agent(row), row.password_hash) if row else None

    def user_id(self, name: str) -> int | None:
        return self.session.execute(select(users.c.id).where(users.c.name == name)).scalar()

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self.session.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def set_active(self, user_id: int, active: bool) -> None:
        self.session.execute(update(users).where(users.c.id == user_id).values(active=active))

    # -- tokens --------------------------------------------------------------------------------
    def insert_token(
        self, token_hash: str, user_id: int, kind: str, created_at: datetime, expires_at: datetime
    ) -> None:
        self.session.execute(
            insert(tokens).values(
                token_hash=token_hash,
                user_id=user_id,
                kind=kind,
                created_at=created_at,
                expires_at=expires_at,
            )
        )

    def user_for_token(self, token_hash: str, now: datetime) -> Agent | None:
        """The user (active or not) an unexpired token with this hash belongs to."""
        query = (
            select(users)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.token_hash == token_hash, tokens.c.expires_at > now)
        )
        row = self.session.execute(query).first()
        return _agent(row) if row else None

    def token(self, token_hash: str, now: datetime) -> StoredToken | None:
        """The unexpired token with this hash: its user (active or not), kind and last use."""
        query = (
            select(users, tokens.c.kind, tokens.c.created_at.label("issued_at"), tokens.c.last_used_at)
            .join(tokens, tokens.c.user_id == users.c.id)
            .where(tokens.c.token_hash == token_hash, tokens.c.expires_at > now)
        )
        row = self.session.execute(query).first()
        if row is None:
            return None
        return StoredToken(_agent(row), row.kind, row.last_used_at or row.issued_at)

    def touch_token(self, token_hash: str, now: datetime) -> None:
        self.session.execute(update(tokens).where(tokens.c.token_hash == token_hash).values(last_used_at=now))

    def delete_token(self, token_hash: str) -> None:
        self.session.execute(delete(tokens).where(tokens.c.token_hash == token_hash))

    def delete_user_tokens(self, user_id: int) -> int:
        return self.session.execute(delete(tokens).where(tokens.c.user_id == user_id)).rowcount

    def delete_expired_tokens(self, now: datetime) -> int:
        return self.session.execute(delete(tokens).where(tokens.c.expires_at < now)).rowcount

    def count_user_tokens(self, user_id: int, kind: str | None = None) -> int:
        query = select(func.count()).select_from(tokens).where(tokens.c.user_id == user_id)
        if kind is not None:
            query = query.where(tokens.c.kind == kind)
        return int(self.session.execute(query).scalar_one())

    # -- failed logins -------------------------------------------------------------------------
    def login_failures(self, name: str, address: str) -> LoginFailures | None:
        t = login_failures
        row = self.session.execute(
            select(t.c.failures, t.c.last_failed_at).where(t.c.name == name, t.c.address == address)
        ).first()
        return LoginFailures(row.failures, row.last_failed_at) if row else None

    def save_login_failures(self, name: str, address: str, failures: int, at: datetime) -> None:
        """Set the count for (name, address); IntegrityError if a concurrent first failure won."""
        t = login_failures
        updated = self.session.execute(
            update(t)
            .where(t.c.name == name, t.c.address == address)
            .values(failures=failures, last_failed_at=at)
        ).rowcount
        if not updated:
            self.session.execute(
                insert(t).values(name=name, address=address, failures=failures, last_failed_at=at)
            )

    def delete_login_failures(self, name: str, address: str | None = None) -> int:
        """Forget the failures of `name` from `address`, or from every address."""
        query = delete(login_failures).where(login_failures.c.name == name)
        if address is not None:
            query = query.where(login_failures.c.address == address)
        return self.session.execute(query).rowcount

    def prune_login_failures(self, before: datetime, keep: int) -> int:
        """Delete failures last seen before `before`, then all but `keep` rows: those with the fewest
        failures go first (a flood of made-up names), the oldest among equals."""
        t = login_failures
        removed = self.session.execute(delete(t).where(t.c.last_failed_at < before)).rowcount
        excess = int(self.session.execute(select(func.count()).select_from(t)).scalar_one()) - keep
        if excess > 0:
            victims = self.session.execute(
                select(t.c.name, t.c.address).order_by(t.c.failures, t.c.last_failed_at).limit(excess)
            ).all()
            for victim in victims:
                self.delete_login_failures(victim.name, victim.address)
            removed += len(victims)
        return removed

    # -- unanswered questions ------------------------------------------------------------------
    def insert_unanswered(self, text: str, normalised: str, channel: str, asked_at: datetime) -> int:
        result = self.session.execute(
            insert(unanswered).values(text=text, normalised=normalised, channel=channel, asked_at=asked_at)
        )
        return int(result.inserted_primary_key[0])

    def unanswered_groups(
        self, *, since: datetime | None, limit: int, containing: str | None
    ) -> list[UnansweredGroup]:
        """Questions grouped by normalised text asked at or after `since`, whose normalised text
        contains `containing`: most asked first, then most recent; at most `limit` groups. Each
        group's example is its most recent wording, its channels sorted."""
        t = unanswered
        count = func.count(t.c.id).label("n")
        last = func.max(t.c.asked_at).label("last")
        query = (
            select(t.c.normalised, count, func.min(t.c.asked_at).label("first"), last)
            .group_by(t.c.normalised)
            .order_by(count.desc(), last.desc())
            .limit(limit)
        )
        if since is not None:
            query = query.where(t.c.asked_at >= since)
        if containing:
            query = query.where(t.c.normalised.contains(containing, autoescape=True))
        groups = self.session.execute(query).all()
        if not groups:
            return []
        examples, channels = self._examples_and_channels([g.normalised for g in groups], since)
        return [
            UnansweredGroup(
                normalised=g.normalised,
                example=examples.get(g.normalised, g.normalised),
                count=g.n,
                channels=tuple(sorted(channels.get(g.normalised, ()))),
                first_asked=g.first,
                last_asked=g.last,
            )
            for g in groups
        ]

    def count_unanswered(self, since: datetime | None = None) -> int:
        query = select(func.count(unanswered.c.id))
        if since is not None:
            query = query.where(unanswered.c.asked_at >= since)
        return int(self.session.execute(query).scalar_one())

    def _examples_and_channels(
        self, keys: Sequence[str], since: datetime | None
    ) -> tuple[dict[str, str], dict[str, list[str]]]:
        t = unanswered
        query = (
            select(t.c.normalised, t.c.text, t.c.channel)
            .where(t.c.normalised.in_(list(keys)))
            .order_by(t.c.asked_at.desc())
        )
        if since is not None:
            query = query.where(t.c.asked_at >= since)
        examples: dict[str, str] = {}
        channels: dict[str, list[str]] = {}
        for row in self.session.execute(query):
            examples.setdefault(row.normalised, row.text)
            seen = channels.setdefault(row.normalised, [])
            if row.channel not in seen:
                seen.append(row.channel)
        return examples, channels


def _agent(row: Row) -> Agent:
    return Agent(row.id, row.name, row.role, bool(row.active), row.created_at)


class UnitOfWork(storage.UnitOfWork[Repository]):
    """`with UnitOfWork(engine, write=True) as repo:` — commit on success, roll back on error."""

    repository = Repository
