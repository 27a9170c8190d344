"""What of a conversation's events may be stored, and how stored events are scrubbed.

The booking table is the only lasting home of a caller's name and phone number. Rasa's tracker
store, however, keeps every user message and slot value for ever. These pure functions over Rasa's
event dictionaries decide what the tracker store (bot/stores.py) writes:

* on every write, personal data (zh.personal_data: mobiles, ID-card numbers, e-mail addresses,
  bank cards, long digit runs) in user and bot texts, entities and ordinary slots is masked; only
  the personal slots a running booking still needs (name, phone) are stored as typed, and the
  slots holding ids the code chose (slot ids, session ids) are never rewritten;
* once the booking no longer needs them (booked, or the slots cleared), every stored event of the
  conversation is rewritten with those values masked (`release_personal_data`);
* when the user asks for their data to be deleted, texts and slot values are erased (`forget`).

Event dicts are what `rasa.shared.core.events.Event.as_dict()` returns.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from consultations.privacy import mask_phone
from zh.personal_data import mask_personal_data

ERASED_TEXT = "[已删除]"
# Keys whose values are identifiers or names chosen by the code, never user content: redacting
# them could only corrupt an event (a hex message id can contain eleven digits in a row).
_STRUCTURAL_KEYS = frozenset(
    {"event", "name", "message_id", "timestamp", "input_channel", "policy", "intent_name", "action_name"}
)


@dataclass(frozen=True)
class PrivacyRules:
    """Which slots hold personal data, when a booking is done with it, and what asks to forget.

    Configured in endpoints.yml under `tracker_store`, so slot names stay out of this module.
    """

    personal_slots: frozenset[str] = field(default_factory=frozenset)
    done_slots: frozenset[str] = field(default_factory=frozenset)
    forget_slot: str | None = None
    # Slots whose values the code chose (a slot id like E01-20261205-0900, a random session id):
    # masking a digit run in them would break the booking the next turn reads them back for.
    verbatim_slots: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_config(
        cls,
        personal_slots: Iterable[str] | None = None,
        done_slots: Iterable[str] | None = None,
        forget_slot: str | None = None,
        verbatim_slots: Iterable[str] | None = None,
    ) -> PrivacyRules:
        return cls(
            frozenset(personal_slots or ()),
            frozenset(done_slots or ()),
            forget_slot or None,
            frozenset(verbatim_slots or ()),
        )

    def asks_to_forget(self, events: Iterable[dict[str, Any]]) -> bool:
        return self.forget_slot is not None and any(
            _is_slot(e) and e.get("name") == self.forget_slot and e.get("value") is True for e in events
        )

    def releases_personal_data(self, events: Iterable[dict[str, Any]]) -> bool:
        """True when a booking has been made (a done slot set) or personal slots were cleared."""
        for event in events:
            if not _is_slot(event):
                continue
            if event.get("name") in self.done_slots and event.get("value") is not None:
                return True
            if event.get("name") in self.personal_slots and event.get("value") is None:
                return True
        return False


def _is_slot(event: dict[str, Any]) -> bool:
    return event.get("event") == "slot"


def _map_strings(value: Any, transform: Any) -> Any:
    if isinstance(value, str):
        return transform(value)
    if isinstance(value, list):
        return [_map_strings(v, transform) for v in value]
    if isinstance(value, dict):
        return {k: v if k in _STRUCTURAL_KEYS else _map_strings(v, transform) for k, v in value.items()}
    return value


def mask_name(name: str) -> str:
    """张三丰 → 张**: enough for staff to recognise a booking, not enough to identify a person."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def _mask_value(slot: str, value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    return mask_phone(value) if "phone" in slot else mask_name(value)


def for_storage(event: dict[str, Any], rules: PrivacyRules) -> dict[str, Any]:
    """The event as it may be written: personal data masked, except in live personal slots."""
    if _is_slot(event) and event.get("name") in rules.personal_slots | rules.verbatim_slots:
        return event
    return _map_strings(event, mask_personal_data)


def personal_values(events: Iterable[dict[str, Any]], rules: PrivacyRules) -> set[str]:
    """The names and numbers typed into personal slots, to be found again in free text."""
    values: set[str] = set()
    for event in events:
        if _is_slot(event) and event.get("name") in rules.personal_slots:
            value = event.get("value")
            # A one-character value would mask that character everywhere in the conversation.
            if isinstance(value, str) and len(value.strip()) >= 2:
                values.add(value.strip())
    return values


def release_personal_data(event: dict[str, Any], rules: PrivacyRules, values: set[str]) -> dict[str, Any]:
    """The stored event once the booking is done with it: personal values masked everywhere."""
    if _is_slot(event) and event.get("name") in rules.personal_slots:
        return {**event, "value": _mask_value(event["name"], event.get("value"))}
    if _is_slot(event) and event.get("name") in rules.verbatim_slots:
        return event
    ordered = sorted(values, key=len, reverse=True)

    def scrub(text: str) -> str:
        for value in ordered:
            if value in text:
                text = text.replace(value, mask_phone(value) if value.isdigit() else mask_name(value))
        return mask_personal_data(text)

    return _map_strings(event, scrub)


def forget(event: dict[str, Any]) -> dict[str, Any]:
    """The stored event after the user asked to delete their data: no text, no slot value left."""
    kind = event.get("event")
    if kind == "user":
        parse_data = dict(event.get("parse_data") or {})
        if parse_data:
            parse_data.update(text=ERASED_TEXT, entities=[])
        return {**event, "text": ERASED_TEXT, "parse_data": parse_data, "metadata": {}}
    if kind == "bot":
        return {**event, "text": ERASED_TEXT, "data": {}, "metadata": {}}
    if kind == "slot":
        return {**event, "value": None}
    return event
