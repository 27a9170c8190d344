"""Knowledge-base tables.

Revision ID: kb0001
Revises:
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "kb0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_sources",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("doc_number", sa.String(128)),
        sa.Column("date", sa.Date()),
        sa.Column("url", sa.Text()),
        sa.Column("publisher", sa.Text()),
        sa.Column("reliability", sa.String(16)),
        sa.Column("note", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_kb_sources"),
    )
    op.create_table(
        "kb_vocabulary",
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "id", name="pk_kb_vocabulary"),
    )
    op.create_table(
        "kb_policies",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("district", sa.String(64)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("superseded_by", sa.String(64)),
        sa.Column("issuers", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("effective_from", sa.Date()),
        sa.Column("expires_on", sa.Date()),
        sa.Column("last_reviewed", sa.Date()),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("apply", sa.JSON()),
        sa.Column("materials", sa.JSON()),
        sa.Column("related", sa.JSON(), nullable=False),
        sa.Column("replacement_note", sa.Text()),
        sa.PrimaryKeyConstraint("id", name="pk_kb_policies"),
    )
    op.create_index("ix_kb_policies_status", "kb_policies", ["status"])

    def child(name: str, *columns: object, pk: tuple[str, ...]) -> None:
        op.create_table(
            name,
            sa.Column("policy_id", sa.String(64), nullable=False),
            *columns,
            sa.ForeignKeyConstraint(["policy_id"], ["kb_policies.id"], ondelete="CASCADE",
                                    name=f"fk_{name}_policy_id_kb_policies"),
            sa.PrimaryKeyConstraint(*pk, name=f"pk_{name}"),
        )

    child(
        "kb_policy_aliases",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("alias", sa.Text(), nullable=False),
        pk=("policy_id", "position"),
    )
    op.create_index("ix_kb_policy_aliases_alias", "kb_policy_aliases", ["alias"])
    child(
        "kb_policy_sources",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["kb_sources.id"], name="fk_kb_policy_sources_source_id_kb_sources"),
        pk=("policy_id", "position"),
    )
    child(
        "kb_facts",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("value", sa.Float()),
        sa.Column("value_is_int", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(32)),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("verification", sa.String(8), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        pk=("policy_id", "key"),
    )
    child(
        "kb_rules",
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("verification", sa.String(8), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("check_tree", sa.JSON()),
        pk=("policy_id", "rule_id"),
    )
    child(
        "kb_notes",
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("verification", sa.String(8), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        pk=("policy_id", "position"),
    )
    fingerprint = op.create_table(
        "kb_data_fingerprint",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", sa.DateTime()),
        sa.Column("policy_count", sa.Integer(), nullable=False),
        sa.Column("load_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_kb_data_fingerprint"),
    )
    op.bulk_insert(fingerprint, [{"id": 1, "sha256": "", "loaded_at": None, "policy_count": 0, "load_count": 0}])


def downgrade() -> None:
    for name in ("kb_data_fingerprint", "kb_notes", "kb_rules", "kb_facts", "kb_policy_sources",
                 "kb_policy_aliases", "kb_policies", "kb_vocabulary", "kb_sources"):
        op.drop_table(name)
