"""Reminder subscriptions and the notices planned for them.

Revision ID: 0001_initial
Revises:
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=True),
        sa.Column("booking_code", sa.String(16), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("consent_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_subscriptions"),
    )
    op.create_index("ix_reminder_subscriptions_user_id", "reminder_subscriptions", ["user_id"])
    op.create_index("ix_reminder_subscriptions_policy_id", "reminder_subscriptions", ["policy_id"])
    op.create_table(
        "reminder_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subscription_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("send_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["reminder_subscriptions.id"],
            name="fk_reminder_notices_subscription_id",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reminder_notices"),
        sa.UniqueConstraint("key", name="uq_reminder_notices_key"),
    )
    op.create_index("ix_reminder_notices_subscription_id", "reminder_notices", ["subscription_id"])
    op.create_index("ix_reminder_notices_user_id", "reminder_notices", ["user_id"])
    op.create_index("ix_reminder_notices_send_at", "reminder_notices", ["send_at"])


def downgrade() -> None:
    op.drop_table("reminder_notices")
    op.drop_table("reminder_subscriptions")
