"""The eligibility dialogues (benchmarks/eligibility/dialogues.yml) stay held out and well-formed.

No user turn of the set is a training example after `comparison_key`; the set has at least 40
dialogues of every kind issue #20 names, covers every current policy with checkable rules, and its
statuses and policy ids are ones the benchmark and the catalogue know.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from policies_kb.catalogue import load_catalogue
from tests.nlu.conftest import PROJECT_ROOT, comparison_key

DIALOGUES = PROJECT_ROOT / "benchmarks" / "eligibility" / "dialogues.yml"
KINDS = {"single", "by_fact", "out_of_order", "correction", "dont_know", "condition"}
STATUSES = {"eligible", "not_eligible", "need_more_info", "yes", "no", "depends"}


def read_dialogues(path: Path = DIALOGUES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["dialogues"]


def test_no_user_turn_is_a_training_example(train_nlu: TrainingData) -> None:
    trained = {comparison_key(m.get(TEXT)) for m in train_nlu.training_examples}
    leaked = [t for d in read_dialogues() for t in d["turns"] if comparison_key(t) in trained]
    assert leaked == []


def test_the_set_is_large_and_covers_every_kind_and_policy_with_rules() -> None:
    dialogues = read_dialogues()
    assert len(dialogues) >= 40
    assert len({d["id"] for d in dialogues}) == len(dialogues)
    assert {d["kind"] for d in dialogues} == KINDS
    assert {d["status"] for d in dialogues} <= STATUSES
    catalogue = load_catalogue(PROJECT_ROOT / "policies_kb" / "data")
    named = {d["policy"] for d in dialogues if d["policy"]}
    assert named <= set(catalogue.policies)
    with_rules = {
        p.id
        for p in catalogue.policies.values()
        if p.status == "current" and any(r.check is not None for r in p.eligibility)
    }
    assert with_rules - named == set()
    assert all(d["turns"] and d["reasons"] for d in dialogues)
