"""The validator rejects each kind of bad data with a message naming file, item and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies_kb.catalogue import fingerprint, load_catalogue
from policies_kb.errors import DataValidationError

FBS = "policies/first_business_subsidy.yaml"


def edit(data_dir: Path, rel: str, old: str, new: str) -> None:
    path = data_dir / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


BAD_DATA = [
    # (id, file to edit, old, new, expected file, item, field, message fragment)
    ("bad date", FBS, "effective_from: 2023-01-01", "effective_from: 2023-02-30",
     FBS, "first_business_subsidy", "effective_from", "bad date '2023-02-30'"),
    ("unknown unit", FBS, "unit: yuan", "unit: rmb",
     FBS, "first_business_subsidy", "facts[0].unit", "unknown unit 'rmb'"),
    ("unknown category", FBS, "category: subsidy", "category: grant",
     FBS, "first_business_subsidy", "category", "unknown category 'grant'"),
    ("unknown district", "policies/huangpu_startup_card.yaml", "district: huangpu", "district: luwan",
     "policies/huangpu_startup_card.yaml", "huangpu_startup_card", "district", "unknown district 'luwan'"),
    ("unknown group in rule", FBS, "value: hard_to_employ}", "value: poor}",
     FBS, "first_business_subsidy", "eligibility[0].check.all[1].any[1].value", "unknown applicant group id 'poor'"),
    ("unknown district in rule", "policies/huangpu_startup_card.yaml", "op: eq, value: huangpu", "op: eq, value: luwan",
     "policies/huangpu_startup_card.yaml", "huangpu_startup_card", "eligibility[0].check.value", "unknown district id"),
    ("unknown verification", FBS, "    verification: 原文\n    sources: [S2]\neligibility", "    verification: 官方\n    sources: [S2]\neligibility",
     FBS, "first_business_subsidy", "facts[0].verification", "unknown verification value '官方'"),
    ("dangling superseded_by", "policies/opening_fee_subsidy.yaml", "superseded_by: first_business_subsidy", "superseded_by: ghost",
     "policies/opening_fee_subsidy.yaml", "opening_fee_subsidy", "superseded_by", "unknown policy id 'ghost'"),
    ("superseded without superseded_by", "policies/opening_fee_subsidy.yaml", "superseded_by: first_business_subsidy", "superseded_by: null",
     "policies/opening_fee_subsidy.yaml", "opening_fee_subsidy", "superseded_by", "required when status is superseded"),
    ("dangling related", FBS, "related: [opening_fee_subsidy]", "related: [ghost]",
     FBS, "first_business_subsidy", "related", "unknown policy id 'ghost'"),
    ("dangling source", FBS, "sources: [S2]\neffective_from", "sources: [S99]\neffective_from",
     FBS, "first_business_subsidy", "sources", "unknown source id 'S99'"),
    ("dangling fact source", FBS, "verification: 原文\n    sources: [S2]\neligibility", "verification: 原文\n    sources: [S98]\neligibility",
     FBS, "first_business_subsidy", "facts[0].sources", "unknown source id 'S98'"),
    ("unknown profile field", FBS, "field: social_insurance_months", "field: insurance_months",
     FBS, "first_business_subsidy", "eligibility[3].check.field", "unknown profile field 'insurance_months'"),
    ("unknown operator", FBS, "op: gte, value: 6", "op: ge, value: 6",
     FBS, "first_business_subsidy", "eligibility[3].check.op", "unknown operator 'ge'"),
    ("duplicate fact key", "policies/pre_startup_loan.yaml", "key: interest_rate_cap", "key: max_amount",
     "policies/pre_startup_loan.yaml", "pre_startup_loan", "facts[1].key", "duplicate fact key 'max_amount'"),
    ("duplicate rule id", FBS, "id: deadline", "id: target_group",
     FBS, "first_business_subsidy", "eligibility[4].id", "duplicate rule id 'target_group'"),
    ("id differs from file name", FBS, "id: first_business_subsidy", "id: first_subsidy",
     FBS, "first_subsidy", "id", "must equal the file name 'first_business_subsidy'"),
    ("unknown key", FBS, "expires_on: null", "expire_on: null",
     FBS, "first_business_subsidy", "expire_on", "unknown key"),
    ("unit without value", "policies/pre_startup_loan.yaml", "value: 20\n    unit: wan_yuan", "value: 20\n    unit: null",
     "policies/pre_startup_loan.yaml", "pre_startup_loan", "facts[0].unit", "required when value is a number"),
    ("bad source date", "sources.yaml", "date: 2024-06-12", "date: 12/06/2024",
     "sources.yaml", "S1", "date", "bad date '12/06/2024'"),
    ("bad reliability", "sources.yaml", "reliability: A", "reliability: D",
     "sources.yaml", "S1", "reliability", "must be A, B or C"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rel", "old", "new", "file", "item", "field", "fragment"),
    [c[1:] for c in BAD_DATA],
    ids=[c[0] for c in BAD_DATA],
)
def test_rejects_bad_data(data_copy: Path, rel, old, new, file, item, field, fragment) -> None:  # noqa: ANN001
    edit(data_copy, rel, old, new)
    with pytest.raises(DataValidationError) as info:
        load_catalogue(data_copy)
    matches = [i for i in info.value.issues if fragment in i.message]
    assert matches, [str(i) for i in info.value.issues]
    issue = matches[0]
    assert (issue.file, issue.item, issue.field) == (file, item, field)
    assert f"{file} [{item}] {field}: " in str(info.value)


def test_duplicate_source_id_in_yaml(data_copy: Path) -> None:
    (data_copy / "sources.yaml").write_text(
        (data_copy / "sources.yaml").read_text(encoding="utf-8") + "S1:\n  title: again\n", encoding="utf-8"
    )
    with pytest.raises(DataValidationError, match=r"sources.yaml: YAML error: .*duplicate key 'S1'"):
        load_catalogue(data_copy)


def test_yaml_syntax_error_names_file(data_copy: Path) -> None:
    edit(data_copy, FBS, "category: subsidy", "category: [subsidy")
    with pytest.raises(DataValidationError, match=r"policies/first_business_subsidy.yaml: YAML error"):
        load_catalogue(data_copy)


def test_collects_all_problems(data_copy: Path) -> None:
    edit(data_copy, FBS, "unit: yuan", "unit: rmb")
    edit(data_copy, FBS, "category: subsidy", "category: grant")
    with pytest.raises(DataValidationError) as info:
        load_catalogue(data_copy)
    assert len(info.value.issues) == 2


def test_missing_files(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    with pytest.raises(DataValidationError) as info:
        load_catalogue(tmp_path)
    assert {i.file for i in info.value.issues} == {"sources.yaml", "vocabulary.yaml"}


def test_fixture_catalogue_shape(fixture_catalogue) -> None:  # noqa: ANN001
    policy = fixture_catalogue.policy("first_business_subsidy")
    assert policy.fact("amount").value == 8000
    assert policy.eligibility[-1].check is None
    assert fixture_catalogue.vocabulary.district_id("卢湾") == "huangpu"
    assert fixture_catalogue.vocabulary.group_id("海归") == "returned_overseas"


def test_fingerprint_changes_with_content(data_copy: Path) -> None:
    before = fingerprint(data_copy)
    assert fingerprint(data_copy) == before
    edit(data_copy, FBS, "一次性8000元", "一次性8000元。")
    assert fingerprint(data_copy) != before


def test_real_data_validates(real_catalogue) -> None:  # noqa: ANN001
    """The data files in policies_kb/data pass every check (skipped until they exist)."""
    assert real_catalogue.policies
    for policy in real_catalogue.policies.values():
        if policy.status == "superseded":
            assert real_catalogue.policies[policy.superseded_by].is_current
