"""Domain objects -> JSON for the console. Wording comes from the domain packages' renderers, and
so do the labels for codes (verdicts, policy statuses, enum values: policies_kb.render.labels)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from consultations import Booking, BookingStatus, ExpertMatch, ServiceRecord, Slot, mask_phone
from consultations.identity import PHONE_PREFIX
from policies_kb import (
    CHECK_LABELS,
    ENUM_LABELS,
    POLICY_STATUS_LABELS,
    EligibilityResult,
    KnowledgeBase,
    Policy,
    SearchResult,
    render_check_all,
    render_fact,
)
from policies_kb.profile import ENUMS, FIELD_LABELS, FIELD_TYPES, QUESTIONS

# Phone callers' bookings: only an agent in the console sets these ids (consultations/identity.py).
PHONE_USER_PREFIX = PHONE_PREFIX


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


# ------------------------------------------------------------------ knowledge base


def search_hit(kb: KnowledgeBase, hit: SearchResult, on: date) -> dict[str, Any]:
    policy = kb.get(hit.policy_id)
    old = kb.freshness(policy.id, on).historical
    district = kb.catalogue.vocabulary.districts.get(policy.district or "")
    replacement = kb.catalogue.policies.get(policy.superseded_by or "")
    return {
        **hit.to_dict(),
        "status_label": POLICY_STATUS_LABELS.get(hit.status, hit.status),
        "category": kb.catalogue.vocabulary.categories.get(policy.category, policy.category),
        "district": district.name if district else None,
        "summary": policy.summary,
        "key_figures": [render_fact(f, old) for f in policy.facts[:3]],
        "superseded_by_name": replacement.name if replacement else None,
    }


def policy_detail(kb: KnowledgeBase, policy: Policy, on: date) -> dict[str, Any]:
    catalogue = kb.catalogue
    fresh = kb.freshness(policy.id, on)
    old = fresh.historical
    district = catalogue.vocabulary.districts.get(policy.district or "")
    replacement = catalogue.policies.get(policy.superseded_by or "")
    replaces = [p for p in catalogue.policies.values() if p.superseded_by == policy.id]
    source_ids = list(dict.fromkeys([*policy.sources, *(s for f in policy.facts for s in f.sources)]))
    sources = []
    for source_id in source_ids:
        source = catalogue.sources.get(source_id)
        if source is None:
            continue
        sources.append(
            {
                "id": source.id,
                "title": source.title,
                "doc_number": source.doc_number,
                "date": _iso(source.date),
                "url": source.url,
                "publisher": source.publisher,
                "reliability": source.reliability,
                "citation": kb.render_citation(source.id),
            }
        )
    verifications = [f.verification for f in policy.facts] + [r.verification for r in policy.eligibility]
    return {
        "id": policy.id,
        "name": policy.name,
        "category": catalogue.vocabulary.categories.get(policy.category, policy.category),
        "status": policy.status,
        "status_label": POLICY_STATUS_LABELS.get(policy.status, policy.status),
        "in_force": fresh.in_force,
        "freshness": {**fresh.to_dict(), "label": POLICY_STATUS_LABELS.get(fresh.status, fresh.status)},
        "district": district.name if district else None,
        "summary": policy.summary,
        "partial": policy.partial,
        "card": kb.render_card(policy.id, on),
        "facts": [
            {
                "label": f.label,
                "text": render_fact(f, old),
                "verification": f.verification,
                "sources": list(f.sources),
            }
            for f in policy.facts
        ],
        "eligibility": [
            {"text": r.text, "verification": r.verification, "manual": r.check is None}
            for r in policy.eligibility
        ],
        "apply": (
            {
                "online": policy.apply.online,
                "offline": policy.apply.offline,
                "deadline": policy.apply.deadline,
                "verification": policy.apply.verification,
            }
            if policy.apply
            else None
        ),
        "materials": list(policy.materials or ()),
        "notes": [{"text": n.text, "verification": n.verification} for n in policy.notes],
        "sources": sources,
        "verification_counts": {v: verifications.count(v) for v in ("原文", "转述", "待核实")},
        "effective_from": _iso(policy.effective_from),
        "expires_on": _iso(policy.expires_on),
        "last_reviewed": _iso(policy.last_reviewed),
        "superseded_by": {"id": replacement.id, "name": replacement.name} if replacement else None,
        "replacement_note": policy.replacement_note,
        "replaces": [{"id": p.id, "name": p.name} for p in replaces],
        "related": [
            {"id": pid, "name": catalogue.policies[pid].name}
            for pid in policy.related
            if pid in catalogue.policies
        ],
        "reference_date": on.isoformat(),
    }


def profile_fields(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The eligibility form, driven by the engine's own field list."""
    vocab = kb.catalogue.vocabulary
    out = []
    for name, kind in FIELD_TYPES.items():
        field: dict[str, Any] = {"name": name, "label": FIELD_LABELS[name], "question": QUESTIONS[name]}
        if kind.startswith("enum:"):
            labels = ENUM_LABELS.get(kind[5:], {})
            field["type"] = "choice"
            field["options"] = [{"value": v, "label": labels.get(v, v)} for v in ENUMS[kind[5:]]]
        elif kind == "district":
            field["type"] = "choice"
            field["options"] = [{"value": t.id, "label": t.name} for t in vocab.districts.values()]
        elif kind == "groups":
            field["type"] = "multi"
            field["options"] = [{"value": t.id, "label": t.name} for t in vocab.applicant_groups.values()]
        elif kind == "policies":
            field["type"] = "multi"
            field["options"] = [
                {"value": p.id, "label": p.name}
                for p in kb.all()
                if p.category in ("subsidy", "loan") and p.status == "current"
            ]
        else:
            field["type"] = kind  # int | number | date | bool
        out.append(field)
    return out


def check_result(kb: KnowledgeBase, result: EligibilityResult) -> dict[str, Any]:
    return {
        **result.to_dict(),
        "status_label": CHECK_LABELS.get(result.status, result.status),
        "text": kb.render_check(result),
    }


def check_all_answer(kb: KnowledgeBase, results: list[EligibilityResult]) -> str:
    """One copy-ready answer for the caller summarising the verdicts: the chat's words."""
    return render_check_all(results, kb.catalogue)


# ------------------------------------------------------------------ consultations


def slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.id,
        "expert_id": slot.expert_id,
        "start": slot.local_start.isoformat(),
        "end": slot.local_end.isoformat(),
        "form": slot.form.label,
        "venue": slot.venue,
        "district": slot.district,
        "free": slot.free,
        "description": slot.describe(),
    }


def expert_match_json(match: ExpertMatch, record: ServiceRecord | None = None) -> dict[str, Any]:
    expert = match.expert
    return {
        "star_level": expert.star_level,
        "rating_count": record.rating_count if record else None,
        "average_rating": record.average_rating if record else None,
        "completed_sessions": record.completed_sessions if record else None,
        "id": expert.id,
        "name": expert.display_name,
        "areas": list(expert.areas),
        "districts": list(expert.districts),
        "forms": [f.label for f in match.matched_forms],
        "bio": expert.bio,
        "next_slots": [slot_json(s) for s in match.next_slots],
    }


def booking_json(booking: Booking, cancel_min_hours: int, now: datetime | None = None) -> dict[str, Any]:
    """Phone masked; the caller's user id is never sent back (the agent typed it in)."""
    now = now or datetime.now(timezone.utc)
    active = booking.status is BookingStatus.ACTIVE
    upcoming = booking.slot.start_at > now
    return {
        "code": booking.code,
        "status": booking.status.value,
        "status_label": ("已预约" if upcoming else "已结束") if active else "已取消",
        "expert_name": booking.expert_name,
        "slot": slot_json(booking.slot),
        "name": booking.name,
        "phone": mask_phone(booking.phone),
        "topic": booking.topic,
        "stage": booking.stage,
        "channel": "电话预约" if (booking.user_id or "").startswith(PHONE_USER_PREFIX) else "线上预约",
        "created_at": booking.created_at.isoformat(),
        "prepare": booking.prepare,
        "cancellable": active and booking.slot.start_at - now >= timedelta(hours=cancel_min_hours),
    }
