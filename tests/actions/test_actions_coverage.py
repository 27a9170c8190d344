"""Every custom action class of actions/*.py is exercised by a test in this folder."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from rasa_sdk import Action

from bot.runtime import PROJECT_ROOT

HERE = Path(__file__).resolve().parent


def custom_actions() -> dict[str, str]:
    """{class name: action name} for every Action subclass defined in the actions package."""
    found = {}
    for path in sorted((PROJECT_ROOT / "actions").glob("*.py")):
        module = importlib.import_module(f"actions.{path.stem}")
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and cls.__module__ == module.__name__ and not inspect.isabstract(cls):
                found[name] = cls().name()
    return found


def test_every_custom_action_is_run_by_a_test() -> None:
    actions = custom_actions()
    # 26 since the fixed booking questions became utter_ask_<slot> responses (issue #15).
    assert len(actions) >= 25, sorted(actions)
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in HERE.glob("test_*.py") if p.name != Path(__file__).name
    )
    untested = [name for name in actions if not re.search(rf"\b{name}\(\)", sources)]
    assert untested == []


def test_every_custom_action_is_declared_in_the_domain(domain) -> None:
    declared = set(domain["actions"]) | {f"validate_{form}" for form in domain["forms"]}
    assert sorted(set(custom_actions().values()) - declared) == []


def test_every_form_question_is_an_action_or_a_domain_response(domain) -> None:
    """Rasa asks a required slot with action_ask_<slot> if the domain declares it, else with the
    response utter_ask_<slot>: each question has exactly one of them."""
    slots = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    askers = {
        slot: [
            name
            for name in (f"action_ask_{slot}", f"utter_ask_{slot}")
            if name in domain["actions"] or name in domain["responses"]
        ]
        for slot in slots
    }
    assert {slot: names for slot, names in askers.items() if len(names) != 1} == {}
