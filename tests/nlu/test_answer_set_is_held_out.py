"""The answer-quality set (benchmarks/answers/questions.yml) stays held out and well-formed.

No question of it is a training example after the same normalisation the intent hold-out uses
(`comparison_key`), every policy id it names exists in the catalogue, and it is large enough and
spread over every category to measure issue #16's targets.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from policies_kb.catalogue import load_catalogue
from tests.nlu.conftest import PROJECT_ROOT, comparison_key

ANSWER_SET = PROJECT_ROOT / "benchmarks" / "answers" / "questions.yml"
REQUIRED_KEYS = {
    "id",
    "text",
    "category",
    "policy",
    "aspect",
    "answerable",
    "must_contain",
    "must_not_contain",
}
OPTIONAL_KEYS = {"also_policies"}
MIN_QUESTIONS = 300
MIN_PER_CATEGORY = 5
EXEMPT_CATEGORIES = {"odd_input"}  # a handful of spaces, emoji and lone numbers is enough


def read_answer_set(path: Path = ANSWER_SET) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]


@pytest.fixture(scope="module")
def questions() -> list[dict]:
    return read_answer_set()


def test_no_question_is_a_training_example(train_nlu: TrainingData, questions: list[dict]) -> None:
    training = {comparison_key(m.get(TEXT)): m.get(TEXT) for m in train_nlu.intent_examples}
    overlaps = [
        f"{q['id']}: {q['text']!r} = training example {training[comparison_key(q['text'])]!r}"
        for q in questions
        if comparison_key(q["text"]) and comparison_key(q["text"]) in training
    ]
    assert not overlaps, "answer-set questions found in data/nlu:\n" + "\n".join(overlaps)


def test_set_has_no_duplicate_questions_or_ids(questions: list[dict]) -> None:
    keys = Counter(comparison_key(q["text"]) or q["text"] for q in questions)
    assert [key for key, n in keys.items() if n > 1] == []
    ids = Counter(q["id"] for q in questions)
    assert [i for i, n in ids.items() if n > 1] == []


def test_every_entry_has_the_required_keys_and_types(questions: list[dict]) -> None:
    problems = []
    for q in questions:
        keys = set(q)
        if missing := REQUIRED_KEYS - keys:
            problems.append(f"{q.get('id')}: missing {sorted(missing)}")
        if unknown := keys - REQUIRED_KEYS - OPTIONAL_KEYS:
            problems.append(f"{q.get('id')}: unknown keys {sorted(unknown)}")
        if not isinstance(q.get("text"), str) or not isinstance(q.get("answerable"), bool):
            problems.append(f"{q.get('id')}: text must be a string and answerable a boolean")
        for key in ("must_contain", "must_not_contain", "also_policies"):
            value = q.get(key, [])
            if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
                problems.append(f"{q.get('id')}: {key} must be a list of non-empty strings")
        if set(q.get("must_contain") or []) & set(q.get("must_not_contain") or []):
            problems.append(f"{q.get('id')}: a string is both required and forbidden")
        if q.get("answerable") and not q.get("must_contain"):
            problems.append(f"{q.get('id')}: an answerable question needs must_contain")
    assert not problems, "\n".join(problems)


def test_every_policy_id_exists_in_the_catalogue(questions: list[dict]) -> None:
    known = set(load_catalogue().policies)
    unknown = [
        f"{q['id']}: {policy}"
        for q in questions
        for policy in [q["policy"], *q.get("also_policies", [])]
        if policy is not None and policy not in known
    ]
    assert not unknown, "unknown policy ids:\n" + "\n".join(unknown)


def test_set_is_large_enough_and_covers_every_category(questions: list[dict]) -> None:
    assert len(questions) >= MIN_QUESTIONS
    counts = Counter(q["category"] for q in questions)
    too_few = {c: n for c, n in counts.items() if n < MIN_PER_CATEGORY and c not in EXEMPT_CATEGORIES}
    assert not too_few, f"categories with fewer than {MIN_PER_CATEGORY} questions: {too_few}"
    assert any(not q["answerable"] for q in questions) and any(q["answerable"] for q in questions)
