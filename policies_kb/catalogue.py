"""Parse and validate the data directory into a Catalogue, without any database.

Shared by the loader, the entity recogniser, the search index and the tests, so that one set of
rules decides what valid data is. Every problem is collected (not just the first) and located by
file, item and field, because the data files are written by hand and reviewed like code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from zh import places

from .errors import DataIssue, DataValidationError
from .model import (
    POLICY_STATUSES,
    SCOPES,
    UNITS,
    VERIFICATIONS,
    ApplyInfo,
    Catalogue,
    Fact,
    Note,
    Policy,
    Rule,
    Source,
    Term,
    Vocabulary,
)
from .rules import parse_condition

DEFAULT_DATA_DIR = Path(__file__).resolve().parent / "data"
# The districts of Shanghai are shared with the bookings: one file, read through zh.places.
_DISTRICTS_REL = "zh/data/districts.yaml"
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RELIABILITY_RE = re.compile(r"^[ABC](/[ABC])*$")

_POLICY_KEYS = {
    "id",
    "name",
    "aliases",
    "category",
    "scope",
    "district",
    "status",
    "superseded_by",
    "issuers",
    "summary",
    "sources",
    "effective_from",
    "expires_on",
    "last_reviewed",
    "partial",
    "facts",
    "eligibility",
    "apply",
    "materials",
    "notes",
    "related",
    "replacement_note",
}
_REQUIRED_POLICY_KEYS = ("id", "name", "category", "status", "summary")
_SOURCE_KEYS = {
    "title",
    "doc_number",
    "date",
    "url",
    "publisher",
    "reliability",
    "note",
    "valid_until",
    "superseded_by",
    "successor_checked_on",
}


# ---------------------------------------------------------------- YAML reading


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text (so a bad date is our error, not a crash) and rejects duplicate keys."""


_StrictLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first at line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path, rel: str, issues: list[DataIssue]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506 - strict SafeLoader
    except UnicodeDecodeError:
        issues.append(DataIssue(rel, None, None, "file is not UTF-8"))
    except yaml.YAMLError as exc:
        issues.append(DataIssue(rel, None, None, f"YAML error: {exc}".replace("\n", " ")))
    return None


# ---------------------------------------------------------------- field readers


class _Reader:
    """Typed access to one mapping that records issues against its file/item instead of raising."""

    def __init__(self, data: dict, file: str, item: str | None, issues: list[DataIssue], prefix: str = ""):
        self.data, self.file, self.item, self.issues, self.prefix = data, file, item, issues, prefix

    def issue(self, field: str | None, message: str) -> None:
        where = f"{self.prefix}{field}" if field else (self.prefix.rstrip(".") or None)
        self.issues.append(DataIssue(self.file, self.item, where, message))

    def child(self, data: dict, prefix: str) -> _Reader:
        return _Reader(data, self.file, self.item, self.issues, self.prefix + prefix)

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.issue(str(key), f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def str(self, key: str, required: bool = False) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.issue(key, "required text is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.issue(key, f"must be non-empty text, got {value!r}")
            return None
        return value.strip()

    def str_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.issue(key, f"must be a list of non-empty texts, got {value!r}")
            return ()
        return tuple(v.strip() for v in value)

    def date(self, key: str) -> date | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.issue(key, f"bad date {value!r} (expected YYYY-MM-DD)")
        return None

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.issue(key, f"must be true or false, got {value!r}")
            return default
        return value

    def choice(
        self, key: str, allowed: tuple[str, ...] | dict, what: str, required: bool = True
    ) -> str | None:
        value = self.data.get(key)
        if value is None:
            if required:
                self.issue(key, f"required {what} is missing")
            return None
        if value not in allowed:
            self.issue(key, f"unknown {what} {value!r} (allowed: {', '.join(allowed)})")
            return None
        return value

    def verification(self, key: str = "verification") -> str:
        value = self.choice(key, VERIFICATIONS, "verification value")
        return value or "待核实"

    def sources(self, known: dict[str, Source], key: str = "sources") -> tuple[str, ...]:
        ids = self.str_list(key)
        for source_id in ids:
            if source_id not in known:
                self.issue(key, f"unknown source id {source_id!r} (not in sources.yaml)")
        return ids


def _mapping(value: Any, reader: _Reader, field: str) -> dict | None:
    if not isinstance(value, dict):
        reader.issue(field, f"must be a mapping, got {type(value).__name__}")
        return None
    return value


def _list_of_mappings(reader: _Reader, key: str) -> list[tuple[int, dict]]:
    value = reader.data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        reader.issue(key, "must be a list")
        return []
    out = []
    for i, entry in enumerate(value):
        if isinstance(entry, dict):
            out.append((i, entry))
        else:
            reader.issue(f"{key}[{i}]", f"must be a mapping, got {entry!r}")
    return out


# ---------------------------------------------------------------- sections


def _parse_sources(raw: Any, issues: list[DataIssue]) -> dict[str, Source]:
    rel = "sources.yaml"
    if not isinstance(raw, dict):
        issues.append(DataIssue(rel, None, None, "must be a mapping of source id -> source"))
        return {}
    sources: dict[str, Source] = {}
    for source_id, entry in raw.items():
        source_id = str(source_id)
        reader = _Reader({}, rel, source_id, issues)
        if not re.match(r"^[A-Za-z][A-Za-z0-9_-]*$", source_id):
            reader.issue(None, "source ids are ASCII identifiers such as S1 or HRSS_2023_1")
        entry = _mapping(entry, reader, "")
        if entry is None:
            continue
        reader = _Reader(entry, rel, source_id, issues)
        reader.unknown_keys(_SOURCE_KEYS)
        reliability = reader.str("reliability")
        if reliability is not None and not _RELIABILITY_RE.match(reliability):
            reader.issue("reliability", f"must be A, B or C (or e.g. A/B), got {reliability!r}")
        sources[source_id] = Source(
            id=source_id,
            title=reader.str("title", required=True) or "",
            doc_number=reader.str("doc_number"),
            date=reader.date("date"),
            url=reader.str("url"),
            publisher=reader.str("publisher"),
            reliability=reliability,
            note=reader.str("note"),
            valid_until=reader.date("valid_until"),
            superseded_by=reader.str("superseded_by"),
            successor_checked_on=reader.date("successor_checked_on"),
        )
    for source in sources.values():
        reader = _Reader({}, rel, source.id, issues)
        if source.superseded_by is not None and source.superseded_by not in sources:
            reader.issue("superseded_by", f"unknown source id {source.superseded_by!r}")
        if source.superseded_by == source.id:
            reader.issue("superseded_by", "a source cannot succeed itself")
        if source.successor_checked_on is not None and source.valid_until is None:
            reader.issue("successor_checked_on", "only meaningful with valid_until")
    return sources


def _parse_terms(raw: Any, rel: str, section: str, issues: list[DataIssue]) -> dict[str, Term]:
    if not isinstance(raw, dict):
        issues.append(DataIssue(rel, section, None, "must be a mapping of id -> {name, aliases}"))
        return {}
    terms: dict[str, Term] = {}
    for term_id, entry in raw.items():
        term_id = str(term_id)
        reader = _Reader({}, rel, f"{section}.{term_id}", issues)
        if not _ID_RE.match(term_id):
            reader.issue(None, "ids are lower snake_case")
        entry = _mapping(entry, reader, "")
        if entry is None:
            continue
        reader = _Reader(entry, rel, f"{section}.{term_id}", issues)
        reader.unknown_keys({"name", "aliases", "defined_by"})
        terms[term_id] = Term(
            term_id,
            reader.str("name", required=True) or term_id,
            reader.str_list("aliases"),
            reader.str_list("defined_by"),
        )
    return terms


def _parse_vocabulary(raw: Any, issues: list[DataIssue]) -> Vocabulary:
    rel = "vocabulary.yaml"
    if not isinstance(raw, dict):
        issues.append(DataIssue(rel, None, None, "must be a mapping with applicant_groups, categories"))
        return Vocabulary()
    for key in raw:
        if key == "districts":
            issues.append(
                DataIssue(rel, "districts", None, f"districts are read from {_DISTRICTS_REL}, not here")
            )
        elif key not in ("applicant_groups", "categories"):
            issues.append(DataIssue(rel, str(key), None, "unknown section"))
    categories: dict[str, str] = {}
    raw_categories = raw.get("categories")
    if not isinstance(raw_categories, dict):
        issues.append(DataIssue(rel, "categories", None, "must be a mapping of id -> Chinese name"))
    else:
        for cat_id, name in raw_categories.items():
            # Also accept {name: ...} so categories can later grow aliases like the other sections.
            if isinstance(name, dict):
                name = name.get("name")
            if not isinstance(name, str) or not name.strip():
                issues.append(DataIssue(rel, f"categories.{cat_id}", None, "needs a Chinese name"))
                continue
            categories[str(cat_id)] = name.strip()
    vocabulary = Vocabulary(
        districts={d.id: Term(d.id, d.name, d.aliases) for d in places.DISTRICTS},
        applicant_groups=_parse_terms(raw.get("applicant_groups"), rel, "applicant_groups", issues),
        categories=categories,
    )
    seen: dict[str, str] = {}
    for section, terms in (
        ("districts", vocabulary.districts),
        ("applicant_groups", vocabulary.applicant_groups),
    ):
        for term in terms.values():
            for form in term.surface_forms:
                owner = f"{section}.{term.id}"
                if form in seen and seen[form] != owner:
                    issues.append(
                        DataIssue(
                            rel,
                            owner,
                            "aliases",
                            f"{form!r} is also used by {seen[form]}; it must name one thing",
                        )
                    )
                seen.setdefault(form, owner)
    return vocabulary


def _parse_policy(
    raw: Any,
    rel: str,
    stem: str,
    sources: dict[str, Source],
    vocab: Vocabulary,
    policy_ids: set[str],
    issues: list[DataIssue],
) -> Policy | None:
    if not isinstance(raw, dict):
        issues.append(DataIssue(rel, stem, None, "a policy file must be a mapping"))
        return None
    policy_id = raw.get("id")
    r = _Reader(raw, rel, str(policy_id or stem), issues)
    r.unknown_keys(_POLICY_KEYS)
    for key in _REQUIRED_POLICY_KEYS:
        if raw.get(key) is None:
            r.issue(key, "required key is missing")
    if policy_id is not None and policy_id != stem:
        r.issue("id", f"id {policy_id!r} must equal the file name {stem!r}")
    if not _ID_RE.match(stem):
        r.issue("id", f"{stem!r} is not lower snake_case")

    status = r.choice("status", POLICY_STATUSES, "status")
    scope = r.choice("scope", SCOPES, "scope", required=False) or "city"
    district = r.str("district")
    if district is not None and district not in vocab.districts:
        r.issue("district", f"unknown district {district!r} (not in {_DISTRICTS_REL})")
    if scope == "district" and district is None:
        r.issue("district", "required when scope is district")
    if scope == "city" and district is not None:
        r.issue("district", "must be null when scope is city")
    category = r.choice("category", vocab.categories, "category")
    superseded_by = r.str("superseded_by")
    if status == "superseded" and superseded_by is None:
        r.issue("superseded_by", "required when status is superseded")
    if superseded_by is not None:
        if superseded_by not in policy_ids:
            r.issue(
                "superseded_by", f"unknown policy id {superseded_by!r} (no policies/{superseded_by}.yaml)"
            )
        elif superseded_by == stem:
            r.issue("superseded_by", "a policy cannot supersede itself")
    related = r.str_list("related")
    for other in related:
        if other not in policy_ids:
            r.issue("related", f"unknown policy id {other!r} (no policies/{other}.yaml)")
    name = r.str("name", required=True) or stem
    aliases = r.str_list("aliases")
    if len(set(aliases)) != len(aliases) or name in aliases:
        r.issue("aliases", "duplicate alias (or an alias equal to the name)")

    facts: list[Fact] = []
    for i, entry in _list_of_mappings(r, "facts"):
        fr = r.child(entry, f"facts[{i}].")
        fr.unknown_keys(
            {"key", "label", "value", "unit", "text", "verification", "sources", "valid_from", "valid_until"}
        )
        key = fr.str("key", required=True) or f"fact{i}"
        if any(f.key == key for f in facts):
            fr.issue("key", f"duplicate fact key {key!r}")
        value = entry.get("value")
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            fr.issue("value", f"must be a number or null, got {value!r}")
            value = None
        unit = entry.get("unit")
        if unit is not None and unit not in UNITS:
            fr.issue("unit", f"unknown unit {unit!r} (allowed: {', '.join(UNITS)})")
        if value is not None and unit is None:
            fr.issue("unit", "required when value is a number")
        facts.append(
            Fact(
                key,
                fr.str("label", required=True) or key,
                value,
                unit,
                fr.str("text", required=True) or "",
                fr.verification(),
                fr.sources(sources),
                fr.date("valid_from"),
                fr.date("valid_until"),
            )
        )
        period = facts[-1]
        if period.valid_from and period.valid_until and period.valid_until < period.valid_from:
            fr.issue("valid_until", "ends before valid_from")

    rules: list[Rule] = []
    for i, entry in _list_of_mappings(r, "eligibility"):
        rr = r.child(entry, f"eligibility[{i}].")
        rr.unknown_keys({"id", "text", "verification", "sources", "check"})
        rule_id = rr.str("id", required=True) or f"rule{i}"
        if any(x.id == rule_id for x in rules):
            rr.issue("id", f"duplicate rule id {rule_id!r}")
        check = None
        if "check" not in entry:
            rr.issue("check", "required (use check: null for a condition a person must verify)")
        elif entry["check"] is not None:
            check, errors = parse_condition(entry["check"], "check", vocab, policy_ids)
            for error in errors:
                rr.issue(error.path, str(error))
        rules.append(
            Rule(rule_id, rr.str("text", required=True) or "", rr.verification(), rr.sources(sources), check)
        )

    apply = None
    if raw.get("apply") is not None:
        entry = _mapping(raw["apply"], r, "apply")
        if entry is not None:
            ar = r.child(entry, "apply.")
            ar.unknown_keys({"online", "offline", "deadline", "verification", "sources"})
            apply = ApplyInfo(
                ar.str("online"),
                ar.str("offline"),
                ar.str("deadline"),
                ar.verification(),
                ar.sources(sources),
            )

    notes = []
    for i, entry in _list_of_mappings(r, "notes"):
        nr = r.child(entry, f"notes[{i}].")
        nr.unknown_keys({"text", "verification", "sources"})
        notes.append(Note(nr.str("text", required=True) or "", nr.verification(), nr.sources(sources)))

    materials = None
    if raw.get("materials") is not None:
        materials = r.str_list("materials")

    return Policy(
        id=stem,
        name=name,
        category=category or "",
        status=status or "current",
        summary=r.str("summary", required=True) or "",
        aliases=aliases,
        scope=scope,
        district=district,
        superseded_by=superseded_by,
        issuers=r.str_list("issuers"),
        sources=r.sources(sources),
        effective_from=r.date("effective_from"),
        expires_on=r.date("expires_on"),
        last_reviewed=r.date("last_reviewed"),
        partial=r.bool("partial"),
        facts=tuple(facts),
        eligibility=tuple(rules),
        apply=apply,
        materials=materials,
        notes=tuple(notes),
        related=related,
        replacement_note=r.str("replacement_note"),
    )


# ---------------------------------------------------------------- entry points


def data_files(data_dir: Path) -> list[Path]:
    """The files that make up the data set, in the order they are fingerprinted."""
    policies = sorted((data_dir / "policies").glob("*.yaml")) if (data_dir / "policies").is_dir() else []
    return [data_dir / "sources.yaml", data_dir / "vocabulary.yaml", *policies]


def fingerprint(data_dir: Path | str | None = None) -> str:
    """SHA-256 over every data file's relative path and bytes: equal data, equal fingerprint."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    digest = hashlib.sha256()
    for path in data_files(data_dir):
        if path.exists():
            digest.update(path.relative_to(data_dir).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    digest.update(_DISTRICTS_REL.encode() + b"\0" + places.DISTRICTS_FILE.read_bytes() + b"\0")
    return digest.hexdigest()


def load_catalogue(
    data_dir: Path | str | None = None, progress: Callable[[str], None] | None = None
) -> Catalogue:
    """Parse and cross-check the data directory; raise DataValidationError listing every issue."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR)
    say = progress or (lambda _msg: None)
    issues: list[DataIssue] = []
    if not data_dir.is_dir():
        raise DataValidationError([DataIssue(str(data_dir), None, None, "data directory does not exist")])
    raw_sources = raw_vocab = None
    for name in ("sources.yaml", "vocabulary.yaml"):
        if not (data_dir / name).is_file():
            issues.append(DataIssue(name, None, None, "file is missing"))
    if (data_dir / "sources.yaml").is_file():
        raw_sources = _read_yaml(data_dir / "sources.yaml", "sources.yaml", issues)
    if (data_dir / "vocabulary.yaml").is_file():
        raw_vocab = _read_yaml(data_dir / "vocabulary.yaml", "vocabulary.yaml", issues)
    sources = _parse_sources(raw_sources, issues) if raw_sources is not None else {}
    vocabulary = _parse_vocabulary(raw_vocab, issues) if raw_vocab is not None else Vocabulary()
    for group in vocabulary.applicant_groups.values():
        for source_id in group.defined_by:
            if source_id not in sources:
                issues.append(
                    DataIssue(
                        "vocabulary.yaml",
                        f"applicant_groups.{group.id}",
                        "defined_by",
                        f"unknown source id {source_id!r}",
                    )
                )
    say(
        f"sources: {len(sources)}; districts: {len(vocabulary.districts)}; "
        f"applicant groups: {len(vocabulary.applicant_groups)}; categories: {len(vocabulary.categories)}"
    )

    policy_dir = data_dir / "policies"
    for stray in sorted(policy_dir.glob("*.yml")) if policy_dir.is_dir() else []:
        issues.append(DataIssue(f"policies/{stray.name}", None, None, "use the .yaml extension"))
    paths = data_files(data_dir)[2:]
    policy_ids = {p.stem for p in paths}
    policies: dict[str, Policy] = {}
    for path in paths:
        rel = f"policies/{path.name}"
        before = len(issues)
        raw = _read_yaml(path, rel, issues)
        if len(issues) > before:
            continue
        policy = _parse_policy(raw, rel, path.stem, sources, vocabulary, policy_ids, issues)
        if policy is not None:
            policies[policy.id] = policy
    say(f"policies: {len(policies)} parsed")

    for policy in policies.values():
        target = policies.get(policy.superseded_by or "")
        if target is not None and not target.is_current:
            issues.append(
                DataIssue(
                    f"policies/{policy.id}.yaml",
                    policy.id,
                    "superseded_by",
                    f"{target.id!r} is itself {target.status}; point to the current policy",
                )
            )
    if issues:
        raise DataValidationError(issues)
    say("validation: ok")
    return Catalogue(
        sources=sources, vocabulary=vocabulary, policies=policies, fingerprint=fingerprint(data_dir)
    )
