"""Domain responses inside other responses.

Every static sentence the actions send is a response in domain/*.yml, sent with
`dispatcher.utter_message(response="utter_…", **values)`. A response that is a part of another one
({contact}, {intro}, {reason}, {help}…) is rendered here from the domain the action server receives.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def text_of(domain: Mapping[str, Any], response: str, **values: Any) -> str:
    """The text of a domain response with its {slots} filled, to be part of another response."""
    return str(domain["responses"][response][0]["text"]).format(**values)


def human_contact(domain: Mapping[str, Any]) -> str:
    """Where a person gets help from a human (12333, the district centre)."""
    return text_of(domain, "utter_human_contact")
