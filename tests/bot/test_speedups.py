"""The cached schema validation accepts and rejects exactly what jsonschema.validate does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.speedups import _original_validate, cached_validate

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
