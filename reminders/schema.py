"""Tables of the reminders, prefixed `reminder_` because the database is shared.

Only what a reminder needs is kept: the policy, the due date, the channel address and when consent
was given. No free text from the user.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

subscriptions = sa.Table(
    "reminder_subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.String(128), nullable=False, index=True),  # the channel's sender id
    sa.Column("channel", sa.String(16), nullable=False),  # wechat | web | rest
    sa.Column("kind", sa.String(16), nullable=False),  # deadline | policy | booking
    sa.Column("policy_id", sa.String(64), nullable=True, index=True),
    sa.Column("booking_code", sa.String(16), nullable=True),
    sa.Column("due_on", sa.Date, nullable=True),  # the last day to apply (deadline)
    sa.Column("consent_at", sa.DateTime, nullable=False),  # naive UTC
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

# One row per message to send. A scheduler claims due rows (claimed_by/claimed_until) before
# sending, so with several schedulers each row is sent by one of them; a crashed claim expires.
notices = sa.Table(
    "reminder_notices",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Integer,
        sa.ForeignKey("reminder_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("user_id", sa.String(128), nullable=False, index=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column(
        "key", sa.String(160), nullable=False, unique=True
    ),  # planning the same notice twice is a no-op
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("send_at", sa.DateTime, nullable=False, index=True),  # naive UTC; also the next retry
    sa.Column("status", sa.String(16), nullable=False),  # pending | sent | failed | cancelled
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("claimed_by", sa.String(64), nullable=True),
    sa.Column("claimed_until", sa.DateTime, nullable=True),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sa.Column("last_error", sa.String(200), nullable=True),
)
