"""The reminders' use cases: subscribe with consent, list, unsubscribe, forget; plan notices;
claim and deliver due notices exactly once across schedulers."""

from __future__ import annotations

import functools
import logging
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from consultations import Booking
from consultations.clock import Clock, system_clock
from consultations.model import SHANGHAI
from policies_kb.changes import RecordedChange
from policies_kb.deadlines import Deadline
from policies_kb.model import Catalogue
from policies_kb.render.changes import render_deadline_reminder
from reminders import planning
from reminders.db import migrate
from reminders.model import BOOKING, DEADLINE, POLICY, Notice, Subscription
from reminders.planning import naive_utc
from reminders.repository import UnitOfWork
from storage import make_engine, resolve_database_url

log = logging.getLogger(__name__)

# Seconds before a failed delivery is tried again; after the last one the notice is given up.
RETRY_BACKOFF_S = (60, 300, 1800, 7200)
CLAIM_LEASE = timedelta(minutes=5)  # a scheduler that dies holding a claim frees it after this


class DeliveryError(Exception):
    """A channel could not deliver; `retryable` False for errors a retry cannot fix (unsubscribed)."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(frozen=True)
class DispatchReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0  # unsubscribed between the claim and the delivery


class ReminderService:
    def __init__(self, engine: Engine, clock: Clock = system_clock) -> None:
        self.engine = engine
        self.clock = clock

    @classmethod
    def open(cls, database_url: str | None = None, clock: Clock = system_clock) -> ReminderService:
        engine = make_engine(database_url)
        migrate(engine)
        return cls(engine, clock)

    def _now(self) -> datetime:
        return naive_utc(self.clock())

    # -- subscribing ---------------------------------------------------------------------------
    def subscribe_deadline(
        self, user_id: str, channel: str, deadline: Deadline, catalogue: Catalogue
    ) -> Subscription:
        """Remind before the last day to apply; the user asked for it (consent is the call)."""
        today = self.clock().astimezone(SHANGHAI).date()
        planned = [
            planning.Planned(
                f"deadline:{{sub}}:{deadline.due_on.isoformat()}:{lead}",
                planning.at_send_time(day),
                render_deadline_reminder(deadline, catalogue, day),
            )
            for lead, day in planning.deadline_send_days(deadline.due_on, today)
        ]
        return self._subscribe(user_id, channel, DEADLINE, deadline.policy_id, None, deadline, planned)

    def follow_policy(self, user_id: str, channel: str, policy_id: str) -> Subscription:
        """Notices when the policy changes (superseded, end date, a figure)."""
        return self._subscribe(user_id, channel, POLICY, policy_id, None, None, [])

    def subscribe_booking(
        self, user_id: str, channel: str, booking: Booking, now: datetime | None = None
    ) -> Subscription:
        """The day before, an hour before, and a request to rate it; a moved booking (the same
        code, another slot) replaces the reminders of its old slot."""
        self.unsubscribe(user_id, booking_code=booking.code)
        planned = planning.booking_notices(booking, now or self.clock())
        return self._subscribe(user_id, channel, BOOKING, None, booking.code, None, planned)

    def _subscribe(
        self,
        user_id: str,
        channel: str,
        kind: str,
        policy_id: str | None,
        booking_code: str | None,
        deadline: Deadline | None,
        planned: Sequence[planning.Planned],
    ) -> Subscription:
        now = self._now()
        with UnitOfWork(self.engine, write=True) as repo:
            sub_id = repo.find_active(user_id, kind, policy_id, booking_code)
            due_on = deadline.due_on if deadline else None
            if sub_id is not None and kind == DEADLINE:
                current = next(s for s in repo.subscriptions_of(user_id) if s.id == sub_id)
                if current.due_on != due_on:  # the user corrected a date: the old reminders are wrong
                    repo.deactivate([sub_id])
                    sub_id = None
            if sub_id is None:
                sub_id = repo.add_subscription(
                    user_id=user_id,
                    channel=channel,
                    kind=kind,
                    policy_id=policy_id,
                    booking_code=booking_code,
                    due_on=due_on,
                    now=now,
                )
            for item in planned:
                repo.plan(
                    sub_id, user_id, channel, item.key.format(sub=sub_id), item.text, naive_utc(item.send_at)
                )
            return next(s for s in repo.subscriptions_of(user_id) if s.id == sub_id)

    def subscriptions(self, user_id: str) -> list[Subscription]:
        with UnitOfWork(self.engine) as repo:
            return repo.subscriptions_of(user_id)

    def unsubscribe(
        self,
        user_id: str,
        subscription_id: int | None = None,
        policy_id: str | None = None,
        booking_code: str | None = None,
    ) -> int:
        """End the user's subscriptions (all, one, or those of a policy or booking); their pending
        notices are cancelled."""
        with UnitOfWork(self.engine, write=True) as repo:
            ids = [
                s.id
                for s in repo.subscriptions_of(user_id)
                if (subscription_id is None or s.id == subscription_id)
                and (policy_id is None or s.policy_id == policy_id)
                and (booking_code is None or s.booking_code == booking_code)
            ]
            repo.deactivate(ids)
            return len(ids)

    def delete_user_data(self, user_id: str) -> int:
        with UnitOfWork(self.engine, write=True) as repo:
            return repo.delete_user(user_id)

    def notices(self, user_id: str) -> list[Notice]:
        with UnitOfWork(self.engine) as repo:
            return repo.notices_of(user_id)

    # -- policy changes ------------------------------------------------------------------------
    def notify_changes(self, changes: Sequence[RecordedChange]) -> int:
        """Plan one notice per knowledge-base update to each subscriber of a policy it changed
        (the changes of that update joined), for subscriptions that existed when it was recorded.
        Idempotent: the notice's key names the update and the subscription."""
        if not changes:
            return 0
        now = self._now()
        updates: dict[tuple[str, str], list[RecordedChange]] = {}
        for change in changes:
            updates.setdefault((change.fingerprint, change.policy_id), []).append(change)
        planned = 0
        with UnitOfWork(self.engine, write=True) as repo:
            for sub in repo.active_for_policies({c.policy_id for c in changes}):
                if sub.kind not in (DEADLINE, POLICY):
                    continue
                for (fingerprint, policy_id), ours in updates.items():
                    if policy_id != sub.policy_id or sub.consent_at > ours[0].recorded_at:
                        continue
                    text = "\n\n".join(c.text for c in ours)
                    key = f"change:{fingerprint[:16]}:{sub.id}"
                    planned += repo.plan(sub.id, sub.user_id, sub.channel, key, text, now)
        return planned

    # -- delivery ------------------------------------------------------------------------------
    def dispatch_due(
        self,
        deliver: Callable[[Notice], None],
        channels: Sequence[str],
        worker: str | None = None,
        limit: int = 50,
        user_id: str | None = None,
    ) -> DispatchReport:
        """Claim the due notices of `channels` (of one user, if given), deliver each once, record
        the outcome."""
        worker = worker or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        now = self._now()
        with UnitOfWork(self.engine, write=True) as repo:
            claimed = repo.claim_due(worker, now, now + CLAIM_LEASE, channels, limit, user_id)
        sent = retried = failed = skipped = 0
        for notice in claimed:
            with UnitOfWork(self.engine) as repo:
                wanted = repo.still_claimed(notice.id, worker)
            if not wanted:
                skipped += 1
                continue
            try:
                deliver(notice)
            except DeliveryError as error:
                retry = _retry_at(notice.attempts, self._now()) if error.retryable else None
                with UnitOfWork(self.engine, write=True) as repo:
                    repo.mark_failed(notice.id, worker, str(error), retry)
                if retry is None:
                    failed += 1
                else:
                    retried += 1
                log.warning("notice %s not delivered (attempt %d): %s", notice.id, notice.attempts + 1, error)
                continue
            with UnitOfWork(self.engine, write=True) as repo:
                repo.mark_sent(notice.id, worker, self._now())
            sent += 1
        return DispatchReport(sent, retried, failed, skipped)

    def take_due(self, user_id: str, channels: Sequence[str]) -> list[Notice]:
        """The user's due notices, marked sent: for a channel that shows them when the user comes
        back (the chat widget) instead of pushing them."""
        taken: list[Notice] = []
        self.dispatch_due(taken.append, channels, user_id=user_id)
        return taken


def _retry_at(attempts_before: int, now: datetime) -> datetime | None:
    if attempts_before >= len(RETRY_BACKOFF_S):
        return None
    return now + timedelta(seconds=RETRY_BACKOFF_S[attempts_before])


# One service per database URL and process, the house style of the domain packages.
_shared_lock = threading.Lock()


def shared_reminders(database_url: str | None = None) -> ReminderService:
    """The process's reminder service for `database_url` (default DATABASE_URL), opened once;
    `shared_reminders.cache_clear()` forgets them (tests)."""
    url = resolve_database_url(database_url)
    with _shared_lock:
        return _shared(url)


@functools.cache
def _shared(url: str) -> ReminderService:
    return ReminderService.open(url)


shared_reminders.cache_clear = _shared.cache_clear  # type: ignore[attr-defined]
