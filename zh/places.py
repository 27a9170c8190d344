"""The districts of Shanghai, one list for policies and bookings alike (data/districts.yaml).

Former districts that were merged into today's (卢湾、南市 → 黄浦区, 闸北 → 静安区, 南汇 → 浦东新区,
崇明县 → 崇明区) are aliases, so an answer that names one means the district it is part of now.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from zh.answers import find_terms
from zh.normalise import match_form

DISTRICTS_FILE = Path(__file__).parent / "data" / "districts.yaml"


@dataclass(frozen=True)
class District:
    id: str  # stable key: huangpu
    name: str  # official name: 黄浦区
    aliases: tuple[str, ...]  # short form, then former names: 黄浦, 卢湾区, 卢湾 …

    @property
    def surface_forms(self) -> tuple[str, ...]:
        """Every way users write it, the official name first."""
        return (self.name, *self.aliases)


def _load(path: Path) -> tuple[District, ...]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: must map district id to {{name, aliases}}")
    districts = tuple(
        District(str(key), str(value["name"]), tuple(str(a) for a in value.get("aliases") or ()))
        for key, value in raw.items()
    )
    seen: dict[str, str] = {}
    for district in districts:
        for form in (district.id, *district.surface_forms):
            if seen.setdefault(form, district.id) != district.id:
                raise ValueError(f"{path}: {form!r} names both {seen[form]} and {district.id}")
    return districts


#: In file order; loaded at import so that a broken file fails loudly and early.
DISTRICTS: tuple[District, ...] = _load(DISTRICTS_FILE)
_BY_ID = {d.id: d for d in DISTRICTS}
#: Every id, name and alias in the form zh.normalise.match_form gives, mapped to the district id.
DISTRICT_FORMS: dict[str, str] = {match_form(f): d.id for d in DISTRICTS for f in (d.id, *d.surface_forms)}


def district(text: str | None) -> District | None:
    """The district a whole answer names ("浦东", "卢湾区", "徐汇 区", "pudong"); None if it is not one."""
    key = "".join(match_form(text).split())
    district_id = DISTRICT_FORMS.get(key)
    return _BY_ID[district_id] if district_id else None


def find_districts(t: str) -> list[tuple[int, int, District]]:
    """Every district a text mentions, in order, as (start, end, district).

    `t` must already be in match form (zh.normalise.match_form), as prepared answers are; the
    offsets point into it.
    """
    return [(start, end, _BY_ID[d]) for start, end, d in find_terms(t, DISTRICT_FORMS)]


def first_district(text: str | None) -> District | None:
    """The first district a free-text answer mentions ("在浦东 张江" → 浦东新区), or None."""
    hits = find_districts("".join(match_form(text).split()))
    return hits[0][2] if hits else None
