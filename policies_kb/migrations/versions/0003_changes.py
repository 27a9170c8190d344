"""What changed for users with each import (kb_changes).

Revision ID: kb0003
Revises: kb0002
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "kb0003"
down_revision = "kb0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("policy_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_changes"),
    )
    op.create_index("ix_kb_changes_recorded_at", "kb_changes", ["recorded_at"])
    op.create_index("ix_kb_changes_policy_id", "kb_changes", ["policy_id"])


def downgrade() -> None:
    op.drop_table("kb_changes")
