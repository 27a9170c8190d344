"""Database tables of the knowledge base (SQLAlchemy 1.4, 2.0 style; SQLite and PostgreSQL).

Normalised enough to query (aliases, facts and rules are rows) yet lossless: store.read_catalogue()
rebuilds exactly the Catalogue the files produced. Condition trees are kept as JSON because they
are evaluated in Python, never in SQL. All tables are prefixed kb_ to share a database with the
bookings package. Changing this file requires a new migration under migrations/versions.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import registry

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
mapper_registry = registry(metadata=MetaData(naming_convention=NAMING))
metadata = mapper_registry.metadata

sources = Table(
    "kb_sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("doc_number", String(128)),
    Column("date", Date),
    Column("url", Text),
    Column("publisher", Text),
    Column("reliability", String(16)),
    Column("note", Text),
    Column("valid_until", Date),
    Column("superseded_by", String(64)),
    Column("successor_checked_on", Date),
)

vocabulary = Table(
    "kb_vocabulary",
    metadata,
    Column("kind", String(32), primary_key=True),  # district | applicant_group | category
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("aliases", JSON, nullable=False),
    Column("defined_by", JSON),  # source ids; null for districts and categories
)

policies = Table(
    "kb_policies",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("category", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("district", String(64)),
    Column("status", String(16), nullable=False, index=True),
    Column("superseded_by", String(64)),
    Column("issuers", JSON, nullable=False),
    Column("summary", Text, nullable=False),
    Column("effective_from", Date),
    Column("expires_on", Date),
    Column("last_reviewed", Date),
    Column("partial", Boolean, nullable=False),
    Column("apply", JSON),
    Column("materials", JSON),
    Column("related", JSON, nullable=False),
    Column("replacement_note", Text),
)

policy_aliases = Table(
    "kb_policy_aliases",
    metadata,
    Column("policy_id", String(64), ForeignKey("kb_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("alias", Text, nullable=False, index=True),
)

policy_sources = Table(
    "kb_policy_sources",
    metadata,
    Column("policy_id", String(64), ForeignKey("kb_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("source_id", String(64), ForeignKey("kb_sources.id"), nullable=False),
)

facts = Table(
    "kb_facts",
    metadata,
    Column("policy_id", String(64), ForeignKey("kb_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("key", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("label", Text, nullable=False),
    Column("value", Float),
    Column("value_is_int", Boolean, nullable=False),  # keeps 8000 an int after the round trip
    Column("unit", String(32)),
    Column("text", Text, nullable=False),
    Column("verification", String(8), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("valid_from", Date),
    Column("valid_until", Date),
)

rules = Table(
    "kb_rules",
    metadata,
    Column("policy_id", String(64), ForeignKey("kb_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("verification", String(8), nullable=False),
    Column("sources", JSON, nullable=False),
    Column("check_tree", JSON),  # null = a person must verify
)

notes = Table(
    "kb_notes",
    metadata,
    Column("policy_id", String(64), ForeignKey("kb_policies.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("text", Text, nullable=False),
    Column("verification", String(8), nullable=False),
    Column("sources", JSON, nullable=False),
)

data_fingerprint = Table(
    "kb_data_fingerprint",
    metadata,
    # A single row (id = 1) created by the first migration; loaders lock it to serialise imports.
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("sha256", String(64), nullable=False),
    Column("loaded_at", DateTime),
    Column("policy_count", Integer, nullable=False),
    Column("load_count", Integer, nullable=False),
)

# What changed for users with each import that replaced earlier data (policies_kb.changes), as the
# notice reads; kept when the data tables are replaced, so reminders can tell subscribers later.
changes = Table(
    "kb_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("recorded_at", DateTime, nullable=False, index=True),  # naive UTC
    Column("fingerprint", String(64), nullable=False),  # of the data that brought the change
    Column("policy_id", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
)

# Delete order (children first) for a full re-import.
DATA_TABLES = (notes, rules, facts, policy_sources, policy_aliases, policies, vocabulary, sources)
