"""Measured hot spots in Rasa 3.6 itself, fixed without changing behaviour.

`RemoteAction` validates every action-server response with `jsonschema.validate`, which checks the
schema against its meta-schema and builds a new validator on every call: about 20 ms per custom
action on this machine, most of a KB answer's latency (benchmarks/rest_latency.py). The schema is
the same every time, so the checked validator is cached; validation of each response is unchanged.

`Event.resolve_by_type` finds an event's class by walking every subclass of `Event` (23 classes,
`inspect.isabstract` on each) for every event it deserialises: about 30 µs an event, and each turn
deserialises the whole stored conversation (the tracker store's retrieve) plus every event an action
returns. The class found for a type name is kept; a name not found still walks the classes, so an
event class imported later is found the first time it is needed.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from rasa.shared.core.events import Event

_original_validate = jsonschema.validate


@lru_cache(maxsize=32)
def _checked_validator(schema_json: str) -> Any:
    schema = json.loads(schema_json)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def cached_validate(instance: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
    """jsonschema.validate with the schema checked once; same errors, same exceptions."""
    if args or kwargs:
        return _original_validate(instance, schema, *args, **kwargs)
    try:
        key = json.dumps(schema, sort_keys=True)
    except (TypeError, ValueError):
        return _original_validate(instance, schema)
    error = best_match(_checked_validator(key).iter_errors(instance))
    if error is not None:
        raise error
    return None


_original_resolve_by_type = Event.resolve_by_type
_event_classes: dict[str, type[Event]] = {}


def cached_resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """Event.resolve_by_type with each class found by its name kept; same results, same errors."""
    cls = _event_classes.get(type_name)
    if cls is None:
        cls = _original_resolve_by_type(type_name, default)
        if cls is not None and cls.type_name == type_name:
            _event_classes[type_name] = cls
    return cls


def install() -> None:
    jsonschema.validate = cached_validate
    Event.resolve_by_type = staticmethod(cached_resolve_by_type)  # type: ignore[method-assign]
