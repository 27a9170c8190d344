"""Figures the end-to-end tests expect, read from the knowledge-base data (never literals), so a policy
update changes what the tests expect instead of breaking CI."""

from __future__ import annotations

import functools

from policies_kb.catalogue import DEFAULT_DATA_DIR, load_catalogue
from policies_kb.model import Catalogue

_SHORT_UNITS = {"wan_yuan": "万", "yuan": "", "month": "个月", "year": "年"}


@functools.cache
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_DATA_DIR)


def figure(policy_id: str, key: str) -> str:
    """A fact's number as every answer writes it: 50 wan_yuan -> "50万", 8000 yuan -> "8000"."""
    fact = catalogue().policy(policy_id).fact(key)
    assert fact is not None and fact.value is not None and fact.unit in _SHORT_UNITS, (policy_id, key)
    number = f"{fact.value:g}"
    assert number in fact.text, f"{policy_id}.{key}: {number!r} not in {fact.text!r}"
    return number + _SHORT_UNITS[fact.unit]
