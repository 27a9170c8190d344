"""The cached schema validation and event class lookup behave exactly as Rasa's own."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, UserUttered

from bot import speedups
from bot.speedups import (
    _original_resolve_by_type,
    _original_validate,
    cached_resolve_by_type,
    cached_validate,
)

speedups.install()  # as bot.launch does in the Rasa server

SPEC = RemoteAction.action_response_format_spec()
GOOD = {"events": [{"event": "slot", "name": "policy", "value": "x"}], "responses": [{"text": "好的"}]}
BAD = [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": "x"}]


def test_valid_action_results_pass() -> None:
    cached_validate(GOOD, SPEC)
    _original_validate(GOOD, SPEC)


@pytest.mark.parametrize("result", BAD)
def test_invalid_action_results_fail_the_same_way(result) -> None:
    with pytest.raises(jsonschema.ValidationError) as original:
        _original_validate(result, SPEC)
    with pytest.raises(jsonschema.ValidationError) as cached:
        cached_validate(result, SPEC)
    assert cached.value.message == original.value.message


def test_an_invalid_schema_is_still_rejected() -> None:
    with pytest.raises(jsonschema.SchemaError):
        cached_validate({}, {"type": 12})


@pytest.mark.parametrize("type_name", ["user", "bot", "action", "slot", "active_loop", "session_started"])
def test_event_classes_resolve_as_rasa_resolves_them(type_name) -> None:
    assert cached_resolve_by_type(type_name) is _original_resolve_by_type(type_name)
    assert cached_resolve_by_type(type_name) is _original_resolve_by_type(type_name)  # from the cache
    assert Event.resolve_by_type is cached_resolve_by_type


def test_unknown_event_names_behave_as_in_rasa() -> None:
    assert cached_resolve_by_type("topic") is None
    assert cached_resolve_by_type("no_such_event", UserUttered) is UserUttered
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        cached_resolve_by_type("no_such_event")


def test_an_event_class_imported_later_is_found() -> None:
    with pytest.raises(ValueError):
        cached_resolve_by_type("haina_test_event")

    class HainaTestEvent(Event):
        type_name = "haina_test_event"

        def __eq__(self, other: object) -> bool:
            return isinstance(other, HainaTestEvent)

        def as_story_string(self) -> None:
            return None

    assert cached_resolve_by_type("haina_test_event") is HainaTestEvent
    events = Event.from_parameters({"event": "haina_test_event", "timestamp": 1.0})
    assert isinstance(events, HainaTestEvent)
