"""Every SQL statement of the reminders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timezone

from sqlalchemy import and_, delete, func, insert, or_, select, true, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

import storage
from reminders.model import CANCELLED, FAILED, PENDING, SENT, Notice, Subscription
from reminders.schema import notices, subscriptions


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- subscriptions -------------------------------------------------------------------------
    def add_subscription(
        self,
        *,
        user_id: str,
        channel: str,
        kind: str,
        policy_id: str | None,
        booking_code: str | None,
        due_on: date | None,
        now: datetime,
    ) -> int:
        result = self.session.execute(
            insert(subscriptions).values(
                user_id=user_id,
                channel=channel,
                kind=kind,
                policy_id=policy_id,
                booking_code=booking_code,
                due_on=due_on,
                consent_at=now,
                created_at=now,
                active=True,
            )
        )
        return int(result.inserted_primary_key[0])

    def find_active(
        self, user_id: str, kind: str, policy_id: str | None, booking_code: str | None
    ) -> int | None:
        return self.session.execute(
            select(subscriptions.c.id).where(
                subscriptions.c.user_id == user_id,
                subscriptions.c.kind == kind,
                subscriptions.c.policy_id.is_not_distinct_from(policy_id),
                subscriptions.c.booking_code.is_not_distinct_from(booking_code),
                subscriptions.c.active.is_(True),
            )
        ).scalar()

    def subscriptions_of(self, user_id: str) -> list[Subscription]:
        next_send = (
            select(func.min(notices.c.send_at))
            .where(notices.c.subscription_id == subscriptions.c.id, notices.c.status == PENDING)
            .scalar_subquery()
        )
        rows = self.session.execute(
            select(subscriptions, next_send.label("next_send_at"))
            .where(subscriptions.c.user_id == user_id, subscriptions.c.active.is_(True))
            .order_by(subscriptions.c.id)
        )
        return [_subscription(row) for row in rows]

    def active_for_policies(self, policy_ids: Iterable[str]) -> list[Subscription]:
        rows = self.session.execute(
            select(subscriptions).where(
                subscriptions.c.policy_id.in_(list(policy_ids)), subscriptions.c.active.is_(True)
            )
        )
        return [_subscription(row) for row in rows]

    def deactivate(self, ids: Sequence[int]) -> None:
        if not ids:
            return
        self.session.execute(update(subscriptions).where(subscriptions.c.id.in_(ids)).values(active=False))
        self.session.execute(
            update(notices)
            .where(notices.c.subscription_id.in_(ids), notices.c.status == PENDING)
            .values(status=CANCELLED, claimed_by=None, claimed_until=None)
        )

    def delete_user(self, user_id: str) -> int:
        self.session.execute(delete(notices).where(notices.c.user_id == user_id))
        return self.session.execute(delete(subscriptions).where(subscriptions.c.user_id == user_id)).rowcount

    # -- notices -------------------------------------------------------------------------------
    def plan(
        self, subscription_id: int, user_id: str, channel: str, key: str, text: str, send_at: datetime
    ) -> bool:
        """Insert a pending notice unless one with `key` exists; True when inserted."""
        if self.session.execute(select(notices.c.id).where(notices.c.key == key)).first() is not None:
            return False
        self.session.execute(
            insert(notices).values(
                subscription_id=subscription_id,
                user_id=user_id,
                channel=channel,
                key=key,
                text=text,
                send_at=send_at,
                status=PENDING,
                attempts=0,
            )
        )
        return True

    def claim_due(
        self,
        worker: str,
        now: datetime,
        until: datetime,
        channels: Sequence[str],
        limit: int,
        user_id: str | None = None,
    ) -> list[Notice]:
        """Mark up to `limit` due, unclaimed (or expired-claim) notices as this worker's; return them.

        PostgreSQL: the candidate rows are locked FOR UPDATE SKIP LOCKED, so a second scheduler
        picks other rows instead of waiting. SQLite: the write transaction (BEGIN IMMEDIATE) already
        serialises schedulers. Either way the UPDATE re-checks the claim, so no row is claimed twice.
        """
        due = and_(
            notices.c.status == PENDING,
            notices.c.send_at <= now,
            notices.c.channel.in_(list(channels)),
            or_(notices.c.claimed_until.is_(None), notices.c.claimed_until < now),
            true() if user_id is None else notices.c.user_id == user_id,
        )
        candidates = select(notices.c.id).where(due).order_by(notices.c.send_at, notices.c.id).limit(limit)
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list(self.session.execute(candidates).scalars())
        if not ids:
            return []
        self.session.execute(
            update(notices)
            .where(notices.c.id.in_(ids), due)
            .values(claimed_by=worker, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        rows = self.session.execute(
            select(notices)
            .where(notices.c.id.in_(ids), notices.c.claimed_by == worker)
            .order_by(notices.c.send_at)
        )
        return [_notice(row) for row in rows]

    def still_claimed(self, notice_id: int, worker: str) -> bool:
        """True while the notice is pending and this worker's (the user may have unsubscribed)."""
        row = self.session.execute(
            select(notices.c.id).where(
                notices.c.id == notice_id, notices.c.status == PENDING, notices.c.claimed_by == worker
            )
        ).first()
        return row is not None

    def mark_sent(self, notice_id: int, worker: str, now: datetime) -> bool:
        result = self.session.execute(
            update(notices)
            .where(notices.c.id == notice_id, notices.c.claimed_by == worker, notices.c.status == PENDING)
            .values(status=SENT, sent_at=now, attempts=notices.c.attempts + 1, claimed_until=None)
        )
        return result.rowcount == 1

    def mark_failed(self, notice_id: int, worker: str, error: str, retry_at: datetime | None) -> None:
        values = {
            "attempts": notices.c.attempts + 1,
            "last_error": error[:200],
            "claimed_by": None,
            "claimed_until": None,
        }
        if retry_at is None:
            values["status"] = FAILED
        else:
            values["send_at"] = retry_at
        self.session.execute(
            update(notices)
            .where(notices.c.id == notice_id, notices.c.claimed_by == worker, notices.c.status == PENDING)
            .values(**values)
        )

    def notices_of(self, user_id: str) -> list[Notice]:
        rows = self.session.execute(
            select(notices).where(notices.c.user_id == user_id).order_by(notices.c.send_at)
        )
        return [_notice(row) for row in rows]


class UnitOfWork(storage.UnitOfWork[Repository]):
    repository = Repository


def _aware(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=timezone.utc)


def _subscription(row: Row) -> Subscription:
    m = row._mapping
    return Subscription(
        id=m["id"],
        user_id=m["user_id"],
        channel=m["channel"],
        kind=m["kind"],
        policy_id=m["policy_id"],
        booking_code=m["booking_code"],
        due_on=m["due_on"],
        consent_at=_aware(m["consent_at"]),
        active=bool(m["active"]),
        next_send_at=_aware(m.get("next_send_at")),
    )


def _notice(row: Row) -> Notice:
    m = row._mapping
    return Notice(
        id=m["id"],
        subscription_id=m["subscription_id"],
        user_id=m["user_id"],
        channel=m["channel"],
        key=m["key"],
        text=m["text"],
        send_at=_aware(m["send_at"]),
        status=m["status"],
        attempts=m["attempts"],
    )
