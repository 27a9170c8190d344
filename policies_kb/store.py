"""Read the imported knowledge base back from the database into the same domain objects.

Lets a process that has no data files (or must not parse them) serve answers from the database,
and lets tests prove the import is lossless (read_catalogue(db) == load_catalogue(files)).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timezone

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from . import schema
from .changes import RecordedChange
from .model import ApplyInfo, Catalogue, Fact, Note, Policy, Rule, Source, Term, Vocabulary
from .rules import condition_from_data


def loaded_fingerprint(engine: Engine) -> str | None:
    """The fingerprint of the data in the database; None when nothing was ever imported."""
    if not inspect(engine).has_table(schema.data_fingerprint.name):
        return None
    with engine.connect() as conn:
        value = conn.execute(select(schema.data_fingerprint.c.sha256)).scalar_one_or_none()
    return value or None


def recorded_changes(engine: Engine, since: datetime) -> list[RecordedChange]:
    """The changes imports recorded at or after `since` (aware), oldest first."""
    if not inspect(engine).has_table(schema.changes.name):
        return []
    with engine.connect() as conn:
        rows = conn.execute(
            select(schema.changes)
            .where(schema.changes.c.recorded_at >= since.astimezone(timezone.utc).replace(tzinfo=None))
            .order_by(schema.changes.c.id)
        ).mappings()
        return [
            RecordedChange(
                r["id"],
                r["recorded_at"].replace(tzinfo=timezone.utc),
                r["fingerprint"],
                r["policy_id"],
                r["kind"],
                r["text"],
            )
            for r in rows
        ]


def read_catalogue(engine: Engine) -> Catalogue | None:
    """Rebuild the Catalogue from the kb_ tables; None when nothing was imported yet."""
    fingerprint = loaded_fingerprint(engine)
    if fingerprint is None:
        return None
    with engine.connect() as conn:

        def fetch(table):  # noqa: ANN001, ANN202
            order = [table.c.policy_id, table.c.position] if "policy_id" in table.c else [table.c.position]
            return conn.execute(select(table).order_by(*order)).mappings().all()

        sources = {
            r["id"]: Source(
                r["id"],
                r["title"],
                r["doc_number"],
                r["date"],
                r["url"],
                r["publisher"],
                r["reliability"],
                r["note"],
                r["valid_until"],
                r["superseded_by"],
                r["successor_checked_on"],
            )
            for r in fetch(schema.sources)
        }
        districts, groups, categories = {}, {}, {}
        for r in conn.execute(
            select(schema.vocabulary).order_by(schema.vocabulary.c.kind, schema.vocabulary.c.position)
        ).mappings():
            if r["kind"] == "district":
                districts[r["id"]] = Term(r["id"], r["name"], tuple(r["aliases"]))
            elif r["kind"] == "applicant_group":
                groups[r["id"]] = Term(r["id"], r["name"], tuple(r["aliases"]), tuple(r["defined_by"] or ()))
            else:
                categories[r["id"]] = r["name"]
        children: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for r in fetch(schema.policy_aliases):
            children["aliases"][r["policy_id"]].append(r["alias"])
        for r in fetch(schema.policy_sources):
            children["sources"][r["policy_id"]].append(r["source_id"])
        for r in fetch(schema.facts):
            value = r["value"]
            if value is not None and r["value_is_int"]:
                value = int(value)
            children["facts"][r["policy_id"]].append(
                Fact(
                    r["key"],
                    r["label"],
                    value,
                    r["unit"],
                    r["text"],
                    r["verification"],
                    tuple(r["sources"]),
                    r["valid_from"],
                    r["valid_until"],
                )
            )
        for r in fetch(schema.rules):
            check = None if r["check_tree"] is None else condition_from_data(r["check_tree"])
            children["rules"][r["policy_id"]].append(
                Rule(r["rule_id"], r["text"], r["verification"], tuple(r["sources"]), check)
            )
        for r in fetch(schema.notes):
            children["notes"][r["policy_id"]].append(Note(r["text"], r["verification"], tuple(r["sources"])))
        policies = {}
        for r in fetch(schema.policies):
            pid = r["id"]
            apply = None
            if r["apply"] is not None:
                a = r["apply"]
                apply = ApplyInfo(
                    a["online"], a["offline"], a["deadline"], a["verification"], tuple(a["sources"])
                )
            policies[pid] = Policy(
                id=pid,
                name=r["name"],
                category=r["category"],
                status=r["status"],
                summary=r["summary"],
                aliases=tuple(children["aliases"][pid]),
                scope=r["scope"],
                district=r["district"],
                superseded_by=r["superseded_by"],
                issuers=tuple(r["issuers"]),
                sources=tuple(children["sources"][pid]),
                effective_from=r["effective_from"],
                expires_on=r["expires_on"],
                last_reviewed=r["last_reviewed"],
                partial=r["partial"],
                facts=tuple(children["facts"][pid]),
                eligibility=tuple(children["rules"][pid]),
                apply=apply,
                materials=None if r["materials"] is None else tuple(r["materials"]),
                notes=tuple(children["notes"][pid]),
                related=tuple(r["related"]),
                replacement_note=r["replacement_note"],
            )
    return Catalogue(sources, Vocabulary(districts, groups, categories), policies, fingerprint)
