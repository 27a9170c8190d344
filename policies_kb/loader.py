"""Import the validated data files into the database: all or nothing, and only when they changed.

Validation happens entirely before the database is touched; the import itself is one transaction
that first locks the fingerprint row, so two processes starting together import at most once and a
failure leaves the previous data in place.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection, Engine

from storage import write_engine

from . import schema
from .catalogue import load_catalogue
from .db import create_kb_engine
from .migrate import upgrade
from .model import Catalogue
from .rules import condition_to_data
from .store import loaded_fingerprint, read_catalogue

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(f"[policies_kb] {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class LoadResult:
    changed: bool
    fingerprint: str
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"changed": self.changed, "fingerprint": self.fingerprint, "counts": dict(self.counts)}


def load(
    database: Engine | str | None = None,
    data_dir: Path | str | None = None,
    progress: Progress | None = stderr_progress,
    catalogue: Catalogue | None = None,
    force: bool = False,
) -> LoadResult:
    """Validate, migrate and import; returns changed=False when the same data is already loaded."""
    say = progress or (lambda _m: None)
    if catalogue is None:
        say("validating data files")
        catalogue = load_catalogue(data_dir, progress=say)
    engine = database if isinstance(database, Engine) else create_kb_engine(database)
    say(f"migrating schema ({engine.url.get_backend_name()})")
    upgrade(engine)
    # Read before the import locks the database; a concurrent loader of the same data changes nothing.
    previous = read_catalogue(engine) if loaded_fingerprint(engine) != catalogue.fingerprint else None
    with write_engine(engine).begin() as conn:
        # The first statement is a write so that SQLite takes its write lock before reading and
        # PostgreSQL row-locks the fingerprint: concurrent loaders queue here.
        conn.execute(
            update(schema.data_fingerprint)
            .where(schema.data_fingerprint.c.id == 1)
            .values(load_count=schema.data_fingerprint.c.load_count + 1)
        )
        loaded = conn.execute(select(schema.data_fingerprint.c.sha256)).scalar_one()
        if loaded == catalogue.fingerprint and not force:
            say(f"data unchanged (fingerprint {catalogue.fingerprint[:12]}), nothing to import")
            conn.rollback()
            return LoadResult(False, catalogue.fingerprint, counts(catalogue))
        say("replacing knowledge-base rows")
        for table in schema.DATA_TABLES:
            conn.execute(delete(table))
        _insert(conn, catalogue, say)
        if previous is not None:
            recorded = _record_changes(conn, previous, catalogue)
            say(f"recorded {recorded} change(s) for subscribers")
        conn.execute(
            update(schema.data_fingerprint)
            .where(schema.data_fingerprint.c.id == 1)
            .values(
                sha256=catalogue.fingerprint,
                loaded_at=datetime.now(timezone.utc).replace(tzinfo=None),
                policy_count=len(catalogue.policies),
            )
        )
    say(f"imported {len(catalogue.policies)} policies (fingerprint {catalogue.fingerprint[:12]})")
    return LoadResult(True, catalogue.fingerprint, counts(catalogue))


def _record_changes(conn: Connection, old: Catalogue, new: Catalogue) -> int:
    """Write what changed for users between the replaced data and the new, as the notices read."""
    from .changes import changes_between  # render and changes import the model this module loads
    from .render.changes import render_change

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    found = changes_between(old, new, date.today())
    if found:
        conn.execute(
            insert(schema.changes),
            [
                {
                    "recorded_at": now,
                    "fingerprint": new.fingerprint,
                    "policy_id": change.policy_id,
                    "kind": change.kind,
                    "text": render_change(change, old, new),
                }
                for change in found
            ],
        )
    return len(found)


def counts(catalogue: Catalogue) -> dict[str, int]:
    policies = catalogue.policies.values()
    return {
        "sources": len(catalogue.sources),
        "policies": len(catalogue.policies),
        "aliases": sum(len(p.aliases) for p in policies),
        "facts": sum(len(p.facts) for p in policies),
        "rules": sum(len(p.eligibility) for p in policies),
        "notes": sum(len(p.notes) for p in policies),
    }


def _insert(conn: Connection, catalogue: Catalogue, say: Progress) -> None:
    def rows(table, items: list[dict]) -> None:  # noqa: ANN001
        if items:
            conn.execute(insert(table), items)
        say(f"  {table.name}: {len(items)}")

    rows(
        schema.sources,
        [
            {
                "id": s.id,
                "position": i,
                "title": s.title,
                "doc_number": s.doc_number,
                "date": s.date,
                "url": s.url,
                "publisher": s.publisher,
                "reliability": s.reliability,
                "note": s.note,
                "valid_until": s.valid_until,
                "superseded_by": s.superseded_by,
                "successor_checked_on": s.successor_checked_on,
            }
            for i, s in enumerate(catalogue.sources.values())
        ],
    )
    vocab = catalogue.vocabulary
    rows(
        schema.vocabulary,
        [
            *(
                {
                    "kind": "district",
                    "id": t.id,
                    "position": i,
                    "name": t.name,
                    "aliases": list(t.aliases),
                    "defined_by": None,
                }
                for i, t in enumerate(vocab.districts.values())
            ),
            *(
                {
                    "kind": "applicant_group",
                    "id": t.id,
                    "position": i,
                    "name": t.name,
                    "aliases": list(t.aliases),
                    "defined_by": list(t.defined_by),
                }
                for i, t in enumerate(vocab.applicant_groups.values())
            ),
            *(
                {"kind": "category", "id": k, "position": i, "name": name, "aliases": [], "defined_by": None}
                for i, (k, name) in enumerate(vocab.categories.items())
            ),
        ],
    )
    policies = list(catalogue.policies.values())
    rows(
        schema.policies,
        [
            {
                "id": p.id,
                "position": i,
                "name": p.name,
                "category": p.category,
                "scope": p.scope,
                "district": p.district,
                "status": p.status,
                "superseded_by": p.superseded_by,
                "issuers": list(p.issuers),
                "summary": p.summary,
                "effective_from": p.effective_from,
                "expires_on": p.expires_on,
                "last_reviewed": p.last_reviewed,
                "partial": p.partial,
                "apply": None
                if p.apply is None
                else {
                    "online": p.apply.online,
                    "offline": p.apply.offline,
                    "deadline": p.apply.deadline,
                    "verification": p.apply.verification,
                    "sources": list(p.apply.sources),
                },
                "materials": None if p.materials is None else list(p.materials),
                "related": list(p.related),
                "replacement_note": p.replacement_note,
            }
            for i, p in enumerate(policies)
        ],
    )
    rows(
        schema.policy_aliases,
        [{"policy_id": p.id, "position": i, "alias": a} for p in policies for i, a in enumerate(p.aliases)],
    )
    rows(
        schema.policy_sources,
        [
            {"policy_id": p.id, "position": i, "source_id": s}
            for p in policies
            for i, s in enumerate(p.sources)
        ],
    )
    rows(
        schema.facts,
        [
            {
                "policy_id": p.id,
                "key": f.key,
                "position": i,
                "label": f.label,
                "value": None if f.value is None else float(f.value),
                "value_is_int": isinstance(f.value, int),
                "unit": f.unit,
                "text": f.text,
                "verification": f.verification,
                "sources": list(f.sources),
                "valid_from": f.valid_from,
                "valid_until": f.valid_until,
            }
            for p in policies
            for i, f in enumerate(p.facts)
        ],
    )
    rows(
        schema.rules,
        [
            {
                "policy_id": p.id,
                "rule_id": r.id,
                "position": i,
                "text": r.text,
                "verification": r.verification,
                "sources": list(r.sources),
                "check_tree": None if r.check is None else condition_to_data(r.check),
            }
            for p in policies
            for i, r in enumerate(p.eligibility)
        ],
    )
    rows(
        schema.notes,
        [
            {
                "policy_id": p.id,
                "position": i,
                "text": n.text,
                "verification": n.verification,
                "sources": list(n.sources),
            }
            for p in policies
            for i, n in enumerate(p.notes)
        ],
    )
