"""Tables of the agent desk, prefixed `agent_desk_` because the database is shared."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

users = sa.Table(
    "agent_desk_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.DateTime, nullable=False),  # naive UTC
)

tokens = sa.Table(
    "agent_desk_tokens",
    metadata,
    # sha256 of the token: a stolen database holds nothing that logs anyone in.
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column(
        "user_id", sa.Integer, sa.ForeignKey("agent_desk_users.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False),  # session (console cookie) | api
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    # Last request made with the token (written at most once a minute): the idle timeout's clock.
    sa.Column("last_used_at", sa.DateTime, nullable=True),
)

# Failed logins per account name and client address, for the backoff in AgentDesk.login. Rows are
# forgotten an hour after their last failure and the table is capped (agent_desk.desk), so a flood
# of made-up names cannot grow it without bound.
login_failures = sa.Table(
    "agent_desk_login_failures",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),  # lower-cased as typed: unknown names too
    sa.Column("address", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("last_failed_at", sa.DateTime, nullable=False, index=True),
)

unanswered = sa.Table(
    "agent_desk_unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),  # personal data masked before storing
    sa.Column("normalised", sa.String(200), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("asked_at", sa.DateTime, nullable=False, index=True),
)
