"""Idle timeout of console sessions (tokens.last_used_at) and the login-failure backoff table.

Revision ID: 0002_sessions_login_failures
Revises: 0001_initial
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_sessions_login_failures"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agent_desk_tokens") as batch:
        batch.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
    op.create_table(
        "agent_desk_login_failures",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", "address", name="pk_agent_desk_login_failures"),
    )
    op.create_index(
        "ix_agent_desk_login_failures_last_failed_at", "agent_desk_login_failures", ["last_failed_at"]
    )


def downgrade() -> None:
    op.drop_table("agent_desk_login_failures")
    with op.batch_alter_table("agent_desk_tokens") as batch:
        batch.drop_column("last_used_at")
