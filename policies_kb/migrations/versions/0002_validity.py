"""Validity that follows the sources: a document's end date and successor, group definitions, periods.

Revision ID: kb0002
Revises: kb0001
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "kb0002"
down_revision = "kb0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kb_sources") as batch:
        batch.add_column(sa.Column("valid_until", sa.Date()))
        batch.add_column(sa.Column("superseded_by", sa.String(64)))
        batch.add_column(sa.Column("successor_checked_on", sa.Date()))
    with op.batch_alter_table("kb_vocabulary") as batch:
        batch.add_column(sa.Column("defined_by", sa.JSON()))
    with op.batch_alter_table("kb_facts") as batch:
        batch.add_column(sa.Column("valid_from", sa.Date()))
        batch.add_column(sa.Column("valid_until", sa.Date()))
    # Rows imported before this revision lack the new columns: make the next load re-import them.
    op.execute("UPDATE kb_data_fingerprint SET sha256 = ''")


def downgrade() -> None:
    with op.batch_alter_table("kb_facts") as batch:
        batch.drop_column("valid_until")
        batch.drop_column("valid_from")
    with op.batch_alter_table("kb_vocabulary") as batch:
        batch.drop_column("defined_by")
    with op.batch_alter_table("kb_sources") as batch:
        batch.drop_column("successor_checked_on")
        batch.drop_column("superseded_by")
        batch.drop_column("valid_until")
