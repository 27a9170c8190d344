"""Rasa tracker and lock stores configured by one URL each, from the environment.

Rasa's SQLTrackerStore takes dialect/host/port/db separately and its endpoint file cannot express
"SQLite unless TRACKER_STORE_URL is set"; these thin adapters let one variable switch storage.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

import settings
from bot.tracker_privacy import PrivacyRules, for_storage, forget, personal_values, release_personal_data

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRACKER_STORE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'tracker.db'}"


def tracker_store_url() -> str:
    return settings.current().tracker_store_url or DEFAULT_TRACKER_STORE_URL


class UrlSQLTrackerStore(SQLTrackerStore):
    """SQLTrackerStore whose connection comes from TRACKER_STORE_URL (SQLite file by default).

    It also keeps personal data out of the stored conversation (bot/tracker_privacy.py): mobile,
    ID-card and bank-card numbers and e-mail addresses are masked on write, a booking's name and
    phone are masked once the booking is done with them, and a request to delete one's data erases
    the conversation's texts and slot values. Which slots play those parts is configured in
    endpoints.yml.
    """

    def __init__(
        self,
        domain: Any = None,
        host: str | None = None,
        event_broker: Any = None,
        personal_slots: list[str] | None = None,
        personal_data_done_slots: list[str] | None = None,
        forget_slot: str | None = None,
        verbatim_slots: list[str] | None = None,
        **kwargs: Any,
    ):
        self.privacy = PrivacyRules.from_config(
            personal_slots, personal_data_done_slots, forget_slot, verbatim_slots
        )
        url = make_url(tracker_store_url())
        if url.drivername.startswith("sqlite") and url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database,
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query),
            **kwargs,
        )

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Rasa's save (append the events not yet stored), with personal data kept out."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            new_events = [event.as_dict() for event in self._additional_events(session, tracker)]
            for data in new_events:
                stored = for_storage(data, self.privacy)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=data.get("event"),
                        timestamp=data.get("timestamp"),
                        intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(stored),
                    )
                )
            session.flush()
            if self.privacy.asks_to_forget(new_events):
                self._rewrite(session, tracker.sender_id, erase=True)
            elif self.privacy.releases_personal_data(new_events):
                self._rewrite(session, tracker.sender_id, erase=False)
            session.commit()

    def release_personal_data(self, sender_id: str) -> int:
        """Mask the booking name and phone in every stored event of `sender_id` (retention job)."""
        with self.session_scope() as session:
            changed = self._rewrite(session, sender_id, erase=False)
            session.commit()
        return changed

    def idle_senders(self, idle_seconds: float) -> list[str]:
        """Conversations with no event in the last `idle_seconds`."""
        cutoff = time.time() - idle_seconds
        with self.session_scope() as session:
            rows = session.execute(
                select(self.SQLEvent.sender_id)
                .group_by(self.SQLEvent.sender_id)
                .having(func.max(self.SQLEvent.timestamp) < cutoff)
            )
            return [sender for (sender,) in rows]

    def _rewrite(self, session: Any, sender_id: str, *, erase: bool) -> int:
        """Rewrite every stored event of `sender_id` (all sessions): erased when `erase`, else with
        the booking's name and phone masked. Returns the number of rows changed."""
        rows = (
            session.execute(
                select(self.SQLEvent).where(self.SQLEvent.sender_id == sender_id).order_by(self.SQLEvent.id)
            )
            .scalars()
            .all()
        )
        events = [json.loads(row.data) for row in rows]
        values = set() if erase else personal_values(events, self.privacy)
        changed = 0
        for row, event in zip(rows, events, strict=True):
            new = forget(event) if erase else release_personal_data(event, self.privacy, values)
            rewritten = json.dumps(new)
            if rewritten != row.data:
                row.data = rewritten
                changed += 1
        return changed


def configured_tracker_store(endpoints: Path = PROJECT_ROOT / "endpoints.yml") -> UrlSQLTrackerStore:
    """The tracker store with the settings Rasa reads from endpoints.yml, for offline jobs."""
    import yaml

    settings = dict((yaml.safe_load(endpoints.read_text(encoding="utf-8")) or {}).get("tracker_store") or {})
    settings.pop("type", None)
    return UrlSQLTrackerStore(**settings)


class AtomicRedisLockStore(RedisLockStore):
    """A Redis lock that two replicas cannot both take for the same conversation.

    Rasa OSS's RedisLockStore issues tickets with a read-modify-write (GET, then SET) of one JSON
    value, so two replicas receiving messages of one conversation at the same instant can both
    believe they hold the lock, and one turn's events are lost (rasa#9213; the atomic store is
    Rasa Pro only). Here the lock is a single key taken with SET NX PX and released only by its
    owner (compare-and-delete in Lua). It expires after `lock_lifetime`, so a crashed replica does
    not block a conversation for ever.
    """

    POLL_SECONDS = 0.02
    _RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"

    @asynccontextmanager
    async def lock(  # type: ignore[override]
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncGenerator[TicketLock, None]:
        key = f"{self.key_prefix}mutex:{conversation_id}"
        token = uuid.uuid4().hex
        give_up_at = time.monotonic() + lock_lifetime
        while not self.red.set(key, token, nx=True, px=int(lock_lifetime * 1000)):
            if time.monotonic() > give_up_at:
                raise LockError(f"Could not acquire the lock for conversation '{conversation_id}'.")
            await asyncio.sleep(min(wait_time_in_seconds, self.POLL_SECONDS))
        try:
            yield TicketLock(conversation_id)
        finally:
            self.red.eval(self._RELEASE, 1, key, token)


class EnvLockStore:
    """Chooses Rasa's lock store from REDIS_URL: Redis for several replicas, in-memory for one."""

    def __new__(cls, host: str | None = None, **kwargs: Any) -> LockStore:  # type: ignore[misc]
        redis_url = settings.current().redis_url
        if not redis_url:
            return InMemoryLockStore()
        parsed = urlparse(redis_url)
        db = int(parsed.path.lstrip("/") or 0)
        return AtomicRedisLockStore(
            host=parsed.hostname or "localhost",
            port=parsed.port or 6379,
            db=db,
            password=parsed.password,
            key_prefix=kwargs.get("key_prefix", "haina"),
        )
