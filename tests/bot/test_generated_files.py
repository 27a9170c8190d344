"""NLU files generated from the knowledge base are committed; they must match the current KB data."""

from pathlib import Path

import pytest

from policies_kb import load_catalogue
from policies_kb.exports import lookups_yaml, userdict_text

PROJECT_ROOT = Path(__file__).resolve().parents[2]
REGENERATE = "run `.venv/bin/python -m bot.cli generate` and commit the result"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_jieba_user_dictionary_is_in_sync(catalogue) -> None:
    committed = (PROJECT_ROOT / "data" / "jieba_userdict" / "kb_terms.txt").read_text(encoding="utf-8")
    assert committed == userdict_text(catalogue), REGENERATE


def test_lookup_tables_are_in_sync(catalogue) -> None:
    committed = (PROJECT_ROOT / "data" / "nlu" / "kb_lookups.yml").read_text(encoding="utf-8")
    assert committed == lookups_yaml(catalogue), REGENERATE


def test_every_policy_name_and_alias_is_one_jieba_word(catalogue) -> None:
    words = {line.rsplit(" ", 2)[0] for line in userdict_text(catalogue).splitlines() if line.strip()}
    for policy in catalogue.policies.values():
        assert policy.name in words
