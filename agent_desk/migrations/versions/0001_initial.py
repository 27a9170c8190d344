"""Agent accounts, login tokens, unanswered questions.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_desk_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agent_desk_users"),
        sa.UniqueConstraint("name", name="uq_agent_desk_users_name"),
    )
    op.create_table(
        "agent_desk_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_agent_desk_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["agent_desk_users.id"], name="fk_agent_desk_tokens_user", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_agent_desk_tokens_expires_at", "agent_desk_tokens", ["expires_at"])
    op.create_table(
        "agent_desk_unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("normalised", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agent_desk_unanswered"),
    )
    op.create_index("ix_agent_desk_unanswered_normalised", "agent_desk_unanswered", ["normalised"])
    op.create_index("ix_agent_desk_unanswered_asked_at", "agent_desk_unanswered", ["asked_at"])


def downgrade() -> None:
    op.drop_table("agent_desk_unanswered")
    op.drop_table("agent_desk_tokens")
    op.drop_table("agent_desk_users")
