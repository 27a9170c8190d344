"""Data access for the booking service: every SQL statement of the package lives here.

`UnitOfWork` is one database transaction. The service opens one per operation, so either all of
an operation's writes are committed before it reports success, or none are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, exists, func, insert, select, text, update
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session

import storage
from consultations.model import BookingStatus, Expert, ServiceForm, Slot, SlotSpec
from consultations.schema import ACTIVE, CANCELLED, bookings, experts, ratings, slots


@dataclass(frozen=True)
class SlotSync:
    """What a slot regeneration changed."""

    created: int
    updated: int
    closed: int  # no longer in the schedule but holding bookings: kept, not offered
    removed: int  # no longer in the schedule and never booked


@dataclass(frozen=True)
class BookingRow:
    """A booking row with its slot, before the service adds expert names and texts."""

    id: int
    code: str
    user_id: str | None
    slot: Slot
    expert_id: str
    name: str | None
    phone: str | None
    topic: str
    stage: str
    status: BookingStatus
    created_at: datetime


class Repository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- experts -------------------------------------------------------------------------------
    def sync_experts(self, catalogue: Iterable[Expert], now: datetime) -> tuple[int, int, int]:
        """Insert new experts, update changed ones, deactivate those no longer in the catalogue.
        Returns (added, updated, deactivated); unchanged rows are not touched."""
        wanted = {e.id: e for e in catalogue}
        stored = {row.id: row for row in self.session.execute(select(experts))}
        added = updated = 0
        for expert in wanted.values():
            values = {
                "display_name": expert.display_name,
                "areas": list(expert.areas),
                "districts": list(expert.districts),
                "forms": [f.value for f in expert.forms],
                "bio": expert.bio,
                "active": True,
            }
            row = stored.get(expert.id)
            if row is None:
                self.session.execute(insert(experts).values(id=expert.id, updated_at=now, **values))
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                self.session.execute(
                    update(experts).where(experts.c.id == expert.id).values(updated_at=now, **values)
                )
                updated += 1
        gone = [i for i, row in stored.items() if i not in wanted and row.active]
        if gone:
            self.session.execute(
                update(experts).where(experts.c.id.in_(gone)).values(active=False, updated_at=now)
            )
        return added, updated, len(gone)

    def expert_names(self) -> dict[str, str]:
        return dict(self.session.execute(select(experts.c.id, experts.c.display_name)).tuples())

    # -- slots ---------------------------------------------------------------------------------
    def sync_slots(self, specs: Sequence[SlotSpec], window_start: datetime, window_end: datetime) -> SlotSync:
        """Make the stored slots in [window_start, window_end) match `specs`, keeping bookings valid."""
        in_window = and_(slots.c.start_at >= window_start, slots.c.start_at < window_end)
        stored = {row.id: row for row in self.session.execute(select(slots).where(in_window))}
        created = updated = 0
        new_rows = []
        for spec in specs:
            row = stored.get(spec.id)
            values = {
                "expert_id": spec.expert_id,
                "start_at": spec.start_at,
                "end_at": spec.end_at,
                "form": spec.form.value,
                "venue": spec.venue,
                "district": spec.district,
                "open": True,
            }
            if row is None:
                new_rows.append({"id": spec.id, "capacity": spec.capacity, "booked": 0, **values})
                continue
            # A smaller capacity never drops below the seats already taken (the CHECK would refuse).
            values["capacity"] = max(spec.capacity, row.booked)
            if any(getattr(row, k) != v for k, v in values.items()):
                self.session.execute(update(slots).where(slots.c.id == spec.id).values(**values))
                updated += 1
        if new_rows:
            self.session.execute(insert(slots), new_rows)
            created = len(new_rows)

        dropped = [sid for sid in stored if sid not in {s.id for s in specs}]
        removed = closed = 0
        if dropped:
            referenced = set(
                self.session.execute(
                    select(bookings.c.slot_id).where(bookings.c.slot_id.in_(dropped)).distinct()
                ).scalars()
            )
            unreferenced = [sid for sid in dropped if sid not in referenced]
            if unreferenced:
                removed = self.session.execute(delete(slots).where(slots.c.id.in_(unreferenced))).rowcount
            to_close = [sid for sid in referenced if stored[sid].open]
            if to_close:
                closed = self.session.execute(
                    update(slots).where(slots.c.id.in_(to_close)).values(open=False)
                ).rowcount
        return SlotSync(created=created, updated=updated, closed=closed, removed=removed)

    def get_slot(self, slot_id: str) -> Slot | None:
        row = self.session.execute(select(slots).where(slots.c.id == slot_id)).first()
        return _slot(row) if row else None

    def free_slots(
        self, expert_ids: Sequence[str], after: datetime, before: datetime, forms: Iterable[ServiceForm]
    ) -> list[Slot]:
        """Open slots with a free seat starting in (after, before), earliest first."""
        query = (
            select(slots)
            .where(
                slots.c.expert_id.in_(list(expert_ids)),
                slots.c.start_at > after,
                slots.c.start_at < before,
                slots.c.open.is_(True),
                slots.c.booked < slots.c.capacity,
                slots.c.form.in_([f.value for f in forms]),
            )
            .order_by(slots.c.start_at, slots.c.expert_id)
        )
        return [_slot(row) for row in self.session.execute(query)]

    def expert_slots(self, expert_id: str, after: datetime, before: datetime) -> list[Slot]:
        query = (
            select(slots)
            .where(slots.c.expert_id == expert_id, slots.c.start_at > after, slots.c.start_at < before)
            .order_by(slots.c.start_at)
        )
        return [_slot(row) for row in self.session.execute(query)]

    def reserve_seat(self, slot_id: str) -> bool:
        """Take one seat if one is free. The WHERE clause, not Python, decides: concurrent callers
        queue on the row (PostgreSQL) or the write lock (SQLite) and re-check `booked < capacity`."""
        result = self.session.execute(
            update(slots)
            .where(slots.c.id == slot_id, slots.c.booked < slots.c.capacity, slots.c.open.is_(True))
            .values(booked=slots.c.booked + 1)
        )
        return result.rowcount == 1

    def release_seat(self, slot_id: str) -> None:
        self.session.execute(
            update(slots).where(slots.c.id == slot_id, slots.c.booked > 0).values(booked=slots.c.booked - 1)
        )

    # -- bookings ------------------------------------------------------------------------------
    def lock_user(self, user_id: str) -> None:
        """Serialise one user's booking transactions so the active-booking limit cannot be raced.
        SQLite already serialises writers (BEGIN IMMEDIATE); PostgreSQL needs an advisory lock."""
        if self.session.bind.dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(user_id.encode()).digest()[:8], "big", signed=True)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def insert_booking(self, **values: object) -> int:
        # SQLAlchemy 1.4 has no RETURNING for SQLite; inserted_primary_key works on both.
        result = self.session.execute(insert(bookings).values(**values))
        return int(result.inserted_primary_key[0])

    def booking_by_key(self, user_id: str, key: str) -> BookingRow | None:
        return self._one_booking(and_(bookings.c.user_id == user_id, bookings.c.idempotency_key == key))

    def booking_by_id(self, booking_id: int) -> BookingRow:
        row = self._one_booking(bookings.c.id == booking_id)
        assert row is not None, booking_id
        return row

    def booking_by_code(self, code: str) -> BookingRow | None:
        return self._one_booking(bookings.c.code == code)

    def user_bookings(self, user_id: str) -> list[BookingRow]:
        query = _booking_query().where(bookings.c.user_id == user_id).order_by(slots.c.start_at)
        return [_booking(row) for row in self.session.execute(query)]

    def phone_bookings(self, phone: str) -> list[BookingRow]:
        query = _booking_query().where(bookings.c.phone == phone).order_by(slots.c.start_at)
        return [_booking(row) for row in self.session.execute(query)]

    def count_active(self, user_id: str, now: datetime) -> int:
        query = (
            select(func.count())
            .select_from(bookings.join(slots, bookings.c.slot_id == slots.c.id))
            .where(bookings.c.user_id == user_id, bookings.c.status == ACTIVE, slots.c.end_at > now)
        )
        return int(self.session.execute(query).scalar_one())

    def has_active_on_slot(self, user_id: str, slot_id: str) -> bool:
        query = select(
            exists().where(
                bookings.c.user_id == user_id, bookings.c.slot_id == slot_id, bookings.c.status == ACTIVE
            )
        )
        return bool(self.session.execute(query).scalar())

    def cancel_booking(self, booking_id: int, now: datetime) -> None:
        self.session.execute(
            update(bookings).where(bookings.c.id == booking_id).values(status=CANCELLED, updated_at=now)
        )

    def move_booking(self, booking_id: int, slot: Slot, now: datetime) -> None:
        self.session.execute(
            update(bookings)
            .where(bookings.c.id == booking_id)
            .values(slot_id=slot.id, expert_id=slot.expert_id, updated_at=now)
        )

    def rename_user(self, old_user_id: str, new_user_id: str, now: datetime) -> int:
        result = self.session.execute(
            update(bookings)
            .where(bookings.c.user_id == old_user_id)
            .values(user_id=new_user_id, updated_at=now)
        )
        return result.rowcount

    def anonymise_user(self, user_id: str, now: datetime) -> int:
        """Remove name, phone, user id and idempotency keys from all of a user's bookings."""
        result = self.session.execute(
            update(bookings)
            .where(bookings.c.user_id == user_id)
            .values(user_id=None, name=None, phone=None, idempotency_key=None, updated_at=now)
        )
        return result.rowcount

    # -- ratings -------------------------------------------------------------------------------
    def has_rating(self, booking_id: int) -> bool:
        query = select(exists().where(ratings.c.booking_id == booking_id))
        return bool(self.session.execute(query).scalar())

    def insert_rating(
        self, booking_id: int, expert_id: str, score: int, comment: str | None, now: datetime
    ) -> None:
        self.session.execute(
            insert(ratings).values(
                booking_id=booking_id, expert_id=expert_id, score=score, comment=comment, created_at=now
            )
        )

    def rating_summary(self, expert_id: str) -> tuple[int, float | None]:
        row = self.session.execute(
            select(func.count(ratings.c.id), func.avg(ratings.c.score)).where(
                ratings.c.expert_id == expert_id
            )
        ).one()
        return int(row[0]), (float(row[1]) if row[1] is not None else None)

    def recent_comments(self, expert_id: str, limit: int) -> list[str]:
        query = (
            select(ratings.c.comment)
            .where(ratings.c.expert_id == expert_id, ratings.c.comment.is_not(None), ratings.c.comment != "")
            .order_by(ratings.c.created_at.desc(), ratings.c.id.desc())
            .limit(limit)
        )
        return list(self.session.execute(query).scalars())

    def completed_sessions(self, expert_id: str, now: datetime) -> int:
        query = (
            select(func.count())
            .select_from(bookings.join(slots, bookings.c.slot_id == slots.c.id))
            .where(bookings.c.expert_id == expert_id, bookings.c.status == ACTIVE, slots.c.end_at <= now)
        )
        return int(self.session.execute(query).scalar_one())

    def _one_booking(self, condition) -> BookingRow | None:
        row = self.session.execute(_booking_query().where(condition)).first()
        return _booking(row) if row else None


def _booking_query():
    return select(bookings, *[c.label(f"s__{c.name}") for c in slots.c]).join(
        slots, bookings.c.slot_id == slots.c.id
    )


def _slot(row: Row, prefix: str = "") -> Slot:
    m = row._mapping
    return Slot(
        id=m[f"{prefix}id"],
        expert_id=m[f"{prefix}expert_id"],
        start_at=m[f"{prefix}start_at"],
        end_at=m[f"{prefix}end_at"],
        form=ServiceForm(m[f"{prefix}form"]),
        venue=m[f"{prefix}venue"],
        district=m[f"{prefix}district"],
        capacity=m[f"{prefix}capacity"],
        booked=m[f"{prefix}booked"],
        open=bool(m[f"{prefix}open"]),
    )


def _booking(row: Row) -> BookingRow:
    m = row._mapping
    return BookingRow(
        id=m["id"],
        code=m["code"],
        user_id=m["user_id"],
        slot=_slot(row, prefix="s__"),
        expert_id=m["expert_id"],
        name=m["name"],
        phone=m["phone"],
        topic=m["topic"],
        stage=m["stage"],
        status=BookingStatus(m["status"]),
        created_at=m["created_at"],
    )


class UnitOfWork(storage.UnitOfWork[Repository]):
    """`with UnitOfWork(engine, write=True) as repo:` — commit on success, roll back on error."""

    repository = Repository
