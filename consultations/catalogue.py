"""Read and validate the expert catalogue (experts.yaml) and the booking rules (rules.yaml).

Validation errors name the file, the expert and the field, because the people who will maintain
these files are staff editing YAML by hand. Loading is a pure read: calling it twice gives equal
results and changes nothing.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Any

import yaml

from consultations.errors import CatalogueError
from consultations.model import (
    Catalogue,
    Expert,
    Rules,
    ScheduleEntry,
    ServiceForm,
    normalise_area,
    normalise_district,
)
from consultations.workcalendar import load_notices

DATA_DIR = Path(__file__).resolve().parent / "data"

_WEEKDAYS = {"周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6, "周天": 6}
_TIME_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_ID = re.compile(r"^[A-Za-z0-9_]{1,32}$")
ONLINE_VENUE = "线上（网上咨询）"


def load_catalogue(data_dir: Path | str = DATA_DIR) -> Catalogue:
    """Load experts.yaml and rules.yaml from `data_dir`; raise CatalogueError on any problem."""
    data_dir = Path(data_dir)
    load_notices()  # a malformed holiday notice fails here, not at the first slot of its year
    rules = load_rules(data_dir / "rules.yaml")
    path = data_dir / "experts.yaml"
    doc = _read_yaml(path)
    where = str(path)
    sample = doc.get("sample_data", False)
    if not isinstance(sample, bool):
        raise CatalogueError(f"{where}: field 'sample_data' must be true or false")
    raw_experts = doc.get("experts")
    if not isinstance(raw_experts, list) or not raw_experts:
        raise CatalogueError(f"{where}: field 'experts' must be a non-empty list")
    experts: list[Expert] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_experts):
        expert = _parse_expert(raw, f"{where}: experts[{index}]")
        if expert.id in seen:
            raise CatalogueError(f"{where}: expert {expert.id}: field 'id' is used twice")
        seen.add(expert.id)
        experts.append(expert)
    return Catalogue(experts=tuple(experts), rules=rules, sample_data=sample, source=where)


def load_rules(path: Path) -> Rules:
    doc = _read_yaml(path)
    where = str(path)

    def positive_int(name: str) -> int:
        value = doc.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise CatalogueError(f"{where}: field '{name}' must be a whole number >= 1, got {value!r}")
        return value

    free = doc.get("free_of_charge")
    if not isinstance(free, bool):
        raise CatalogueError(f"{where}: field 'free_of_charge' must be true or false")
    raw_prepare = doc.get("prepare")
    if not isinstance(raw_prepare, dict):
        raise CatalogueError(f"{where}: field 'prepare' must map each bookable form to a text")
    prepare: dict[ServiceForm, str] = {}
    for key, text in raw_prepare.items():
        form = _parse_form(key, f"{where}: prepare")
        if not isinstance(text, str) or not text.strip():
            raise CatalogueError(f"{where}: field 'prepare.{key}' must be a non-empty text")
        prepare[form] = text.strip()
    missing = [f.value for f in ServiceForm if f.bookable and f not in prepare]
    if missing:
        raise CatalogueError(f"{where}: field 'prepare' lacks a text for {', '.join(missing)}")
    return Rules(
        free_of_charge=free,
        cancel_min_hours=positive_int("cancel_min_hours"),
        horizon_days=positive_int("horizon_days"),
        max_active_bookings=positive_int("max_active_bookings"),
        makeup_day_weekday=_parse_weekday(
            doc.get("makeup_day_weekday", "周一"), f"{where}: makeup_day_weekday"
        ),
        prepare=prepare,
        notice=str(doc.get("notice", "")).strip(),
    )


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: is not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise CatalogueError(f"{path}: must be a mapping at the top level")
    return doc


def _parse_expert(raw: Any, where: str) -> Expert:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be a mapping")
    expert_id = raw.get("id")
    if not isinstance(expert_id, str) or not _ID.match(expert_id):
        raise CatalogueError(f"{where}: field 'id' must be letters, digits or _ (got {expert_id!r})")
    where = f"{where.rsplit(':', 1)[0]}: expert {expert_id}"

    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogueError(f"{where}: field 'name' must be a non-empty text")

    areas: list[str] = []
    for value in _list(raw, "areas", where):
        area = normalise_area(str(value))
        if area is None:
            raise CatalogueError(f"{where}: field 'areas' has unknown expertise area {value!r}")
        if area not in areas:
            areas.append(area)

    districts: list[str] = []
    for value in _list(raw, "districts", where):
        district = normalise_district(str(value))
        if district is None:
            raise CatalogueError(
                f"{where}: field 'districts' has {value!r}, which is not a Shanghai district"
            )
        if district not in districts:
            districts.append(district)

    forms = tuple(
        dict.fromkeys(_parse_form(v, f"{where}: field 'forms'") for v in _list(raw, "forms", where))
    )

    schedule = tuple(
        _parse_entry(entry, f"{where}: field 'schedule[{i}]'", districts, forms)
        for i, entry in enumerate(raw.get("schedule") or [])
    )
    bookable = [f for f in forms if f.bookable]
    if bookable and not schedule:
        raise CatalogueError(f"{where}: field 'schedule' is empty but the expert offers {bookable[0].value}")
    star_level = raw.get("star_level")
    if star_level is not None and (
        isinstance(star_level, bool) or not isinstance(star_level, int) or not 1 <= star_level <= 5
    ):
        raise CatalogueError(f"{where}: field 'star_level' must be 1-5 or left out (got {star_level!r})")
    return Expert(
        id=expert_id,
        display_name=name.strip(),
        areas=tuple(areas),
        districts=tuple(districts),
        forms=forms,
        bio=str(raw.get("bio", "")).strip(),
        schedule=schedule,
        star_level=star_level,
    )


def _list(raw: dict[str, Any], field: str, where: str) -> list[Any]:
    value = raw.get(field)
    if not isinstance(value, list) or not value:
        raise CatalogueError(f"{where}: field '{field}' must be a non-empty list")
    return value


def _parse_form(value: Any, where: str) -> ServiceForm:
    text = str(value).strip().removesuffix("咨询").removesuffix("指导")
    aliases = {"线上": "网上", "在线": "网上", "专家讲座": "讲座", "专家会诊": "会诊"}
    text = aliases.get(text, text)
    try:
        return ServiceForm(text)
    except ValueError:
        names = "、".join(f.value for f in ServiceForm)
        raise CatalogueError(f"{where}: unknown service form {value!r} (known: {names})") from None


def _parse_weekday(value: Any, where: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 7:
        return value - 1
    if isinstance(value, str) and value.strip() in _WEEKDAYS:
        return _WEEKDAYS[value.strip()]
    raise CatalogueError(f"{where}: bad weekday {value!r} (use 周一…周日 or 1…7)")


def _parse_entry(raw: Any, where: str, districts: list[str], forms: tuple[ServiceForm, ...]) -> ScheduleEntry:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: must be a mapping")
    weekday = _parse_weekday(raw.get("weekday"), f"{where}.weekday")
    match = _TIME_RANGE.match(str(raw.get("time", "")))
    if not match:
        raise CatalogueError(f'{where}.time: bad time range {raw.get("time")!r} (use "09:00-11:00")')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise CatalogueError(f"{where}.time: bad time {raw.get('time')!r}")
    start, end = time(h1, m1), time(h2, m2)
    if end <= start:
        raise CatalogueError(f"{where}.time: end {end:%H:%M} is not after start {start:%H:%M}")

    form = _parse_form(raw.get("form"), f"{where}.form")
    if not form.bookable:
        raise CatalogueError(
            f"{where}.form: {form.value} is arranged by staff and cannot be in a bookable schedule"
        )
    if form not in forms:
        raise CatalogueError(f"{where}.form: {form.value} is not among the expert's forms")

    slot_minutes = raw.get("slot_minutes")
    if not isinstance(slot_minutes, int) or isinstance(slot_minutes, bool) or slot_minutes < 10:
        raise CatalogueError(f"{where}.slot_minutes: must be a whole number >= 10, got {slot_minutes!r}")
    block = (h2 * 60 + m2) - (h1 * 60 + m1)
    if block < slot_minutes:
        raise CatalogueError(f"{where}.slot_minutes: {slot_minutes} does not fit into {raw.get('time')}")
    capacity = raw.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
        raise CatalogueError(f"{where}.capacity: must be a whole number >= 1, got {capacity!r}")

    if form is ServiceForm.ONLINE:
        district = None
        venue = str(raw.get("venue") or ONLINE_VENUE).strip()
    else:
        district = normalise_district(str(raw.get("district", "")))
        if district is None:
            raise CatalogueError(
                f"{where}.district: in-person sessions need a Shanghai district, got {raw.get('district')!r}"
            )
        if district not in districts:
            raise CatalogueError(f"{where}.district: {district} is not among the expert's districts")
        venue = str(raw.get("venue") or "").strip()
        if not venue:
            raise CatalogueError(f"{where}.venue: in-person sessions need a venue text")
    return ScheduleEntry(
        weekday=weekday,
        start=start,
        end=end,
        form=form,
        slot_minutes=slot_minutes,
        capacity=capacity,
        venue=venue,
        district=district,
    )
