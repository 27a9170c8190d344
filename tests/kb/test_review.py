"""The policy team's review report on the real catalogue: figures and dates are read from the data."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from policies_kb.catalogue import load_catalogue
from policies_kb.model import Catalogue, Policy, Source
from policies_kb.review import (
    REVIEW_INTERVAL_DAYS,
    VIA_FACT,
    VIA_ITEM,
    VIA_RULE,
    render_review_text,
    review,
)
from policies_kb.validity import ENDED, ENDING

REPO = Path(__file__).resolve().parents[2]
DOC = "HRSS_2022_8"
HARD_TO_EMPLOY = "hard_to_employ"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def _doc(catalogue: Catalogue) -> Source:
    source = catalogue.sources[DOC]
    assert source.valid_until is not None, "the test is about a document with an end date"
    return source


def _with_policy(catalogue: Catalogue, policy: Policy) -> Catalogue:
    return dataclasses.replace(catalogue, policies={**catalogue.policies, policy.id: policy})


def _uses_group(node, group: str) -> bool:
    if node is None:
        return False
    if hasattr(node, "field"):
        values = node.value if isinstance(node.value, tuple) else (node.value,)
        return node.field == "groups" and group in values
    children = (node.child,) if hasattr(node, "child") else node.children
    return any(_uses_group(c, group) for c in children)


def test_document_ending_soon_is_listed_with_its_dependants(catalogue: Catalogue) -> None:
    source = _doc(catalogue)
    on = source.valid_until - timedelta(days=28)  # 2026-12-03 with today's data
    report = review(catalogue, on)
    listed = {d.source_id: d for d in report.documents}
    assert DOC in listed
    doc = listed[DOC]
    assert doc.state == ENDING and doc.days_left == 28
    assert doc.doc_number == source.doc_number == "沪人社规〔2022〕8号"
    assert doc.valid_until == source.valid_until
    assert doc.successor_checked_on == source.successor_checked_on

    whole = {d.policy_id for d in doc.dependants if d.via == VIA_ITEM}
    expected_whole = {
        p.id for p in catalogue.policies.values() if DOC in p.sources and p.status in ("current", "reference")
    }
    assert whole == expected_whole
    assert "flexible_employment_si_subsidy_hard_to_employ" in whole

    # Rules through the applicant group the document defines: every in-force rule using it.
    assert DOC in catalogue.vocabulary.applicant_groups[HARD_TO_EMPLOY].defined_by
    group_name = catalogue.vocabulary.applicant_groups[HARD_TO_EMPLOY].name
    through_group = {
        (p.id, r.id)
        for p in catalogue.policies.values()
        if p.status in ("current", "reference") and p.id not in whole
        for r in p.eligibility
        if _uses_group(r.check, HARD_TO_EMPLOY)
    }
    rules = {(d.policy_id, d.part_id): d for d in doc.dependants if d.via == VIA_RULE}
    assert through_group <= set(rules)
    for key in through_group:
        assert group_name in rules[key].groups
    assert any(pid == "first_business_subsidy" for pid, _ in rules)
    loans = {pid for pid, _ in rules if catalogue.policies[pid].category == "loan"}
    assert "individual_guaranteed_loan" in loans

    text = render_review_text(report)
    assert "即将到期或已到期的文件" in text
    assert source.doc_number in text
    assert f"{source.valid_until.year}年{source.valid_until.month}月{source.valid_until.day}日" in text
    assert catalogue.policies["flexible_employment_si_subsidy_hard_to_employ"].name in text
    assert catalogue.policies["first_business_subsidy"].name in text
    assert f"「{group_name}」" in text


def test_on_the_issue_date_8_is_listed(catalogue: Catalogue) -> None:
    report = review(catalogue, date(2026, 12, 3))
    assert DOC in {d.source_id for d in report.documents}


def test_outside_the_horizon_it_is_not_listed(catalogue: Catalogue) -> None:
    source = _doc(catalogue)
    on = source.valid_until - timedelta(days=91)
    assert DOC not in {d.source_id for d in review(catalogue, on).documents}
    assert DOC in {d.source_id for d in review(catalogue, on, horizon_days=91).documents}


def test_after_its_end_without_successor_it_is_listed_as_ended(catalogue: Catalogue) -> None:
    source = _doc(catalogue)
    assert source.superseded_by is None
    report = review(catalogue, date(2027, 1, 5))
    doc = next(d for d in report.documents if d.source_id == DOC)
    assert doc.state == ENDED
    assert doc.days_left == (source.valid_until - date(2027, 1, 5)).days < 0
    assert report.to_dict()["documents"][0]["state_label"] == "已到期"
    assert "已到期" in render_review_text(report)
    # Ended comes before ending: a document ending tomorrow is listed after it.
    soon = Source("TEST_SOON", "测试文件", "测试〔2027〕1号", valid_until=date(2027, 1, 6))
    other = dataclasses.replace(catalogue, sources={**catalogue.sources, soon.id: soon})
    ids = [d.source_id for d in review(other, date(2027, 1, 5)).documents]
    assert ids.index(DOC) < ids.index("TEST_SOON")


def test_a_recorded_successor_takes_it_off_the_list(catalogue: Catalogue) -> None:
    old = _doc(catalogue)
    successor = Source(
        "HRSS_TEST_SUCCESSOR",
        "关于继续做好本市就业援助工作的若干意见（测试用）",
        "沪人社规〔2026〕99号",
        date=old.valid_until,
        valid_until=old.valid_until.replace(year=old.valid_until.year + 5),
    )
    sources = {
        **catalogue.sources,
        DOC: dataclasses.replace(old, superseded_by=successor.id),
        successor.id: successor,
    }
    with_successor = dataclasses.replace(catalogue, sources=sources)
    report = review(with_successor, date(2027, 1, 5))
    assert DOC not in {d.source_id for d in report.documents}
    assert successor.id not in {d.source_id for d in report.documents}
    # When the successor itself ends, what rested on the old document is listed under it.
    late = successor.valid_until - timedelta(days=10)
    doc = next(d for d in review(with_successor, late).documents if d.source_id == successor.id)
    assert "flexible_employment_si_subsidy_hard_to_employ" in {d.policy_id for d in doc.dependants}
    assert "first_business_subsidy" in {d.policy_id for d in doc.dependants if d.via == VIA_RULE}


def test_reference_value_with_a_passed_period_appears(catalogue: Catalogue) -> None:
    policy = catalogue.policies["flexible_employment_si_subsidy_hard_to_employ"]
    fact = next(f for f in policy.facts if f.key.startswith("ref_"))
    on = date(2026, 12, 3)
    passed = dataclasses.replace(
        fact, valid_from=on - timedelta(days=400), valid_until=on - timedelta(days=35)
    )
    changed = dataclasses.replace(
        policy, facts=tuple(passed if f.key == fact.key else f for f in policy.facts)
    )
    report = review(_with_policy(catalogue, changed), on)
    value = next(v for v in report.reference_values if v.policy_id == policy.id and v.key == fact.key)
    assert value.state == ENDED and value.days_left == -35
    assert value.text == fact.text and value.label == fact.label
    assert fact.label in render_review_text(report)
    # A period that ends beyond the horizon is not listed; the catalogue's own dated facts follow the rule.
    later = dataclasses.replace(fact, valid_until=on + timedelta(days=200))
    changed = dataclasses.replace(
        policy, facts=tuple(later if f.key == fact.key else f for f in policy.facts)
    )
    assert (policy.id, fact.key) not in {
        (v.policy_id, v.key) for v in review(_with_policy(catalogue, changed), on).reference_values
    }
    for v in review(catalogue, on).reference_values:
        assert v.days_left <= 90


def test_item_expiry_and_stale_reviews(catalogue: Catalogue) -> None:
    policy = catalogue.policies["first_business_subsidy"]
    on = date(2026, 12, 3)
    expiring = dataclasses.replace(policy, expires_on=on + timedelta(days=20), last_reviewed=None)
    report = review(_with_policy(catalogue, expiring), on)
    item = next(i for i in report.expiring_items if i.policy_id == policy.id)
    assert item.state == ENDING and item.days_left == 20
    assert report.unreviewed[0].policy_id == policy.id and report.unreviewed[0].last_reviewed is None
    # Reviewed more than REVIEW_INTERVAL_DAYS ago: listed with the days since.
    stale = dataclasses.replace(policy, last_reviewed=on - timedelta(days=REVIEW_INTERVAL_DAYS + 1))
    due = next(r for r in review(_with_policy(catalogue, stale), on).unreviewed if r.policy_id == policy.id)
    assert due.days_since == REVIEW_INTERVAL_DAYS + 1
    fresh = dataclasses.replace(policy, last_reviewed=on - timedelta(days=REVIEW_INTERVAL_DAYS))
    assert policy.id not in {r.policy_id for r in review(_with_policy(catalogue, fresh), on).unreviewed}
    # Expired and superseded items are history: not reviewed for expiry.
    historical = [p for p in catalogue.policies.values() if p.status in ("expired", "superseded")]
    listed = {i.policy_id for i in review(catalogue, on).expiring_items}
    assert not listed & {p.id for p in historical}


def test_unverified_counts(catalogue: Catalogue) -> None:
    report = review(catalogue, date(2026, 12, 3))
    counts = {c.policy_id: c for c in report.unverified}
    for policy in catalogue.policies.values():
        if policy.status not in ("current", "reference"):
            continue
        facts = sum(f.verification == "待核实" for f in policy.facts)
        rules = sum(r.verification == "待核实" for r in policy.eligibility)
        notes = sum(n.verification == "待核实" for n in policy.notes)
        if facts + rules + notes == 0:
            assert policy.id not in counts
            continue
        assert (counts[policy.id].facts, counts[policy.id].rules, counts[policy.id].notes) == (
            facts,
            rules,
            notes,
        )
    totals = [c.total for c in report.unverified]
    assert totals == sorted(totals, reverse=True)
    assert "待核实内容统计" in render_review_text(report)


def test_to_dict_is_json(catalogue: Catalogue) -> None:
    data = review(catalogue, date(2026, 12, 3)).to_dict()
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    doc = next(d for d in data["documents"] if d["source_id"] == DOC)
    assert doc["valid_until"] == _doc(catalogue).valid_until.isoformat()
    assert {d["via"] for d in doc["dependants"]} >= {VIA_ITEM, VIA_RULE}
    assert all(d["via"] in (VIA_ITEM, VIA_RULE, VIA_FACT) for d in doc["dependants"])
    with pytest.raises(ValueError):
        review(load_catalogue(), date(2026, 12, 3), horizon_days=-1)


# ---------------------------------------------------------------- CLI


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HAINA_REFERENCE_DATE": "2026-12-03", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "policies_kb", *args], cwd=REPO, capture_output=True, text=True, env=full_env,
        timeout=120,
    )  # fmt: skip


def test_cli_review_text_and_json(catalogue: Catalogue) -> None:
    result = _cli("review", "--on", "2026-12-03")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "即将到期或已到期的文件" in out and "沪人社规〔2022〕8号" in out
    assert catalogue.policies["flexible_employment_si_subsidy_hard_to_employ"].name in out
    assert catalogue.policies["first_business_subsidy"].name in out
    assert catalogue.policies["individual_guaranteed_loan"].name in out
    assert "就业困难人员" in out

    # --on defaults to HAINA_REFERENCE_DATE; --json prints the same report as JSON.
    result = _cli("review", "--json", "--horizon-days", "30", env={"HAINA_REFERENCE_DATE": "2027-01-05"})
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["on"] == "2027-01-05" and data["horizon_days"] == 30
    doc = next(d for d in data["documents"] if d["source_id"] == DOC)
    assert doc["state"] == ENDED and doc["doc_number"] == "沪人社规〔2022〕8号"


def test_cli_review_bad_input() -> None:
    for args in (("review", "--on", "2026-13-01"), ("review", "--horizon-days", "-5")):
        result = _cli(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
    result = _cli("review", env={"HAINA_REFERENCE_DATE": "tomorrow"})
    assert result.returncode == 1 and "HAINA_REFERENCE_DATE" in result.stderr
