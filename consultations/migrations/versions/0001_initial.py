"""Initial consultation tables: experts, slots, bookings, ratings.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

from consultations.schema import UTCDateTime

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

ACTIVE_ONLY = "status = 'active'"


def upgrade() -> None:
    op.create_table(
        "consultation_experts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("districts", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        sa.Column("bio", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_experts"),
    )
    op.create_table(
        "consultation_slots",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("expert_id", sa.String(32), nullable=False),
        sa.Column("start_at", UTCDateTime(), nullable=False),
        sa.Column("end_at", UTCDateTime(), nullable=False),
        sa.Column("form", sa.String(8), nullable=False),
        sa.Column("venue", sa.String(200), nullable=False),
        sa.Column("district", sa.String(16), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.CheckConstraint("capacity >= 1", name="ck_consultation_slots_capacity_positive"),
        sa.CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_consultation_slots_not_overbooked"),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["consultation_experts.id"],
            name="fk_consultation_slots_expert_id_consultation_experts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_slots"),
        sa.UniqueConstraint("expert_id", "start_at", name="uq_consultation_slots_expert_start"),
    )
    op.create_index("ix_consultation_slots_start_at", "consultation_slots", ["start_at"])
    op.create_table(
        "consultation_bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("slot_id", sa.String(64), nullable=False),
        sa.Column("expert_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(50), nullable=True),
        sa.Column("phone", sa.String(11), nullable=True),
        sa.Column("topic", sa.String(16), nullable=False),
        sa.Column("stage", sa.String(50), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("idempotency_key", sa.String(128), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'cancelled')", name="ck_consultation_bookings_status_known"),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["consultation_slots.id"], name="fk_consultation_bookings_slot_id_consultation_slots"
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["consultation_experts.id"],
            name="fk_consultation_bookings_expert_id_consultation_experts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_bookings"),
        sa.UniqueConstraint("code", name="uq_consultation_bookings_code"),
        sa.UniqueConstraint("user_id", "idempotency_key", name="uq_consultation_bookings_user_key"),
    )
    op.create_index("ix_consultation_bookings_user_id", "consultation_bookings", ["user_id"])
    op.create_index(
        "uq_consultation_bookings_active_slot_user",
        "consultation_bookings",
        ["slot_id", "user_id"],
        unique=True,
        postgresql_where=sa.text(ACTIVE_ONLY),
        sqlite_where=sa.text(ACTIVE_ONLY),
    )
    op.create_table(
        "consultation_ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.String(32), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name="ck_consultation_ratings_score_range"),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["consultation_bookings.id"],
            name="fk_consultation_ratings_booking_id_consultation_bookings",
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["consultation_experts.id"],
            name="fk_consultation_ratings_expert_id_consultation_experts",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_consultation_ratings"),
        sa.UniqueConstraint("booking_id", name="uq_consultation_ratings_booking_id"),
    )
    op.create_index("ix_consultation_ratings_expert_id", "consultation_ratings", ["expert_id"])


def downgrade() -> None:
    op.drop_table("consultation_ratings")
    op.drop_index("uq_consultation_bookings_active_slot_user", table_name="consultation_bookings")
    op.drop_index("ix_consultation_bookings_user_id", table_name="consultation_bookings")
    op.drop_table("consultation_bookings")
    op.drop_index("ix_consultation_slots_start_at", table_name="consultation_slots")
    op.drop_table("consultation_slots")
    op.drop_table("consultation_experts")
