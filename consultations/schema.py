"""Database tables of the consultation service (SQLAlchemy Core, shared by SQLite and PostgreSQL).

Table names carry a `consultation_` prefix because the package shares DATABASE_URL with the
knowledge base. The over-booking guard lives here, in the database, not in Python:

* `slots.booked` is changed only by a conditional UPDATE (`booked < capacity`), and the CHECK
  constraint `booked BETWEEN 0 AND capacity` rejects any write that would over-book anyway;
* a partial unique index allows one *active* booking per (slot, user): a person cannot hold two
  seats of the same session, even from two devices at once. We chose this over a (slot, seat)
  unique key because seat numbers would have to be recycled on cancellation, while "one seat per
  person per session" is a business rule worth enforcing on its own;
* `(user_id, idempotency_key)` is unique, so a retried confirmation cannot create a second booking.

The migrations in consultations/migrations create exactly these tables; a test compares them.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.types import TypeDecorator

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        # SQLite compares stored text, so every value must have the same naive UTC form.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[override]
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


ACTIVE = "active"
CANCELLED = "cancelled"

experts = Table(
    "consultation_experts",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("areas", JSON, nullable=False),
    Column("districts", JSON, nullable=False),
    Column("forms", JSON, nullable=False),
    Column("bio", Text, nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

slots = Table(
    "consultation_slots",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("expert_id", String(32), ForeignKey("consultation_experts.id"), nullable=False),
    Column("start_at", UTCDateTime, nullable=False),
    Column("end_at", UTCDateTime, nullable=False),
    Column("form", String(8), nullable=False),
    Column("venue", String(200), nullable=False),
    Column("district", String(16), nullable=True),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, default=0),
    # False when the schedule no longer has this slot but it still holds bookings: those stay
    # valid, nobody new can book it.
    Column("open", Boolean, nullable=False, default=True),
    CheckConstraint("capacity >= 1", name="capacity_positive"),
    CheckConstraint("booked >= 0 AND booked <= capacity", name="not_overbooked"),
    UniqueConstraint("expert_id", "start_at", name="uq_consultation_slots_expert_start"),
    Index("ix_consultation_slots_start_at", "start_at"),
)

bookings = Table(
    "consultation_bookings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(8), nullable=False, unique=True),
    # As given (e.g. a WeChat openid); NULL after the user's data was deleted.
    Column("user_id", String(128), nullable=True),
    Column("slot_id", String(64), ForeignKey("consultation_slots.id"), nullable=False),
    Column("expert_id", String(32), ForeignKey("consultation_experts.id"), nullable=False),
    Column("name", String(50), nullable=True),
    Column("phone", String(11), nullable=True),
    Column("topic", String(16), nullable=False),
    Column("stage", String(50), nullable=False),
    Column("status", String(16), nullable=False),
    Column("idempotency_key", String(128), nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
    UniqueConstraint("user_id", "idempotency_key", name="uq_consultation_bookings_user_key"),
    Index("ix_consultation_bookings_user_id", "user_id"),
    Index(
        "uq_consultation_bookings_active_slot_user",
        "slot_id",
        "user_id",
        unique=True,
        postgresql_where=text("status = 'active'"),
        sqlite_where=text("status = 'active'"),
    ),
)

ratings = Table(
    "consultation_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # Kept without personal data: the booking row it points to is anonymised on deletion.
    Column("booking_id", Integer, ForeignKey("consultation_bookings.id"), nullable=False, unique=True),
    Column("expert_id", String(32), ForeignKey("consultation_experts.id"), nullable=False),
    Column("score", Integer, nullable=False),
    Column("comment", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    CheckConstraint("score BETWEEN 1 AND 5", name="score_range"),
    Index("ix_consultation_ratings_expert_id", "expert_id"),
)
