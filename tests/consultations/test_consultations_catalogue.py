"""The sample catalogue and the loader's validation messages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from consultations.catalogue import DATA_DIR, load_catalogue
from consultations.errors import CatalogueError
from consultations.model import AREAS, DISTRICTS, ServiceForm, normalise_area, normalise_district


def test_sample_catalogue_is_marked_and_covers_every_area() -> None:
    catalogue = load_catalogue()
    assert catalogue.sample_data is True
    assert 12 <= len(catalogue.experts) <= 16
    assert all(e.display_name.startswith("示例专家·") for e in catalogue.experts)
    assert {a for e in catalogue.experts for a in e.areas} == set(AREAS)
    districts = {d for e in catalogue.experts for d in e.districts}
    assert len(districts) >= 5 and districts <= set(DISTRICTS)
    # The "no matching expert" conversation needs a district nobody serves in person.
    assert set(DISTRICTS) - districts
    in_person_venues = [
        x.venue for e in catalogue.experts for x in e.schedule if x.form is not ServiceForm.ONLINE
    ]
    assert all("示例" in v for v in in_person_venues)


def test_rules() -> None:
    rules = load_catalogue().rules
    assert rules.free_of_charge is True
    assert (rules.cancel_min_hours, rules.horizon_days, rules.max_active_bookings) == (24, 14, 3)
    assert set(rules.prepare) == {ServiceForm.CLINIC, ServiceForm.ON_SITE, ServiceForm.ONLINE}


def test_loading_twice_gives_equal_results() -> None:
    assert load_catalogue() == load_catalogue()


@pytest.mark.parametrize(
    ("said", "area"),
    [
        ("股权激励", "股权"),
        ("股份", "股权"),
        ("税务", "财税"),
        ("记账", "财税"),
        ("专利", "知识产权"),
        ("商标", "知识产权"),
        ("融资", "融资"),
        (" 商业 计划书 ", "商业计划"),
        ("BP", "商业计划"),
        ("炒股", None),
    ],
)
def test_area_aliases(said: str, area: str | None) -> None:
    assert normalise_area(said) == area


def test_district_short_forms() -> None:
    assert normalise_district("浦东") == "浦东新区"
    assert normalise_district("徐汇") == "徐汇区"
    assert normalise_district("静安区") == "静安区"
    assert normalise_district("朝阳区") is None


def test_non_bookable_forms_are_modelled() -> None:
    assert {f for f in ServiceForm if f.bookable} == {
        ServiceForm.CLINIC,
        ServiceForm.ON_SITE,
        ServiceForm.ONLINE,
    }
    e07 = load_catalogue().expert("E07")
    assert (
        e07 is not None and ServiceForm.LECTURE in e07.forms and ServiceForm.LECTURE not in e07.bookable_forms
    )


def _broken_copy(tmp_path: Path, change) -> Path:
    for name in ("experts.yaml", "rules.yaml"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / "experts.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc["experts"][1])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda e: e.update(areas=["炒股"]), "field 'areas' has unknown expertise area '炒股'"),
        (lambda e: e["schedule"][0].update(weekday="周八"), "schedule[0]'.weekday: bad weekday '周八'"),
        (lambda e: e["schedule"][0].update(weekday=9), "bad weekday 9"),
        (lambda e: e["schedule"][0].update(time="25:00-26:00"), "bad time"),
        (lambda e: e["schedule"][0].update(time="16:00-14:00"), "is not after start"),
        (lambda e: e["schedule"][0].update(capacity=0), ".capacity: must be a whole number >= 1, got 0"),
        (lambda e: e["schedule"][0].update(slot_minutes=500), "does not fit"),
        (lambda e: e["schedule"][0].update(form="讲座"), "arranged by staff"),
        (lambda e: e["schedule"][0].update(district="朝阳区"), "need a Shanghai district"),
        (lambda e: e.update(districts=["纽约"]), "is not a Shanghai district"),
        (lambda e: e.update(id="E01"), "expert E01: field 'id' is used twice"),
        (lambda e: e.pop("name"), "field 'name' must be a non-empty text"),
        (lambda e: e.update(star_level=6), "field 'star_level' must be 1-5 or left out (got 6)"),
        (lambda e: e.update(star_level="五星"), "field 'star_level' must be 1-5"),
        (lambda e: e.update(star_level=True), "field 'star_level' must be 1-5"),
    ],
)
def test_validation_errors_name_file_expert_and_field(tmp_path: Path, change, expected: str) -> None:
    data_dir = _broken_copy(tmp_path, change)
    with pytest.raises(CatalogueError) as info:
        load_catalogue(data_dir)
    message = str(info.value)
    assert str(data_dir / "experts.yaml") in message
    assert "expert E0" in message
    assert expected in message


def test_rules_validation(tmp_path: Path) -> None:
    shutil.copy(DATA_DIR / "experts.yaml", tmp_path / "experts.yaml")
    rules = yaml.safe_load((DATA_DIR / "rules.yaml").read_text(encoding="utf-8"))
    rules["max_active_bookings"] = 0
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    with pytest.raises(
        CatalogueError, match=r"rules.yaml: field 'max_active_bookings' must be a whole number"
    ):
        load_catalogue(tmp_path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="cannot be read"):
        load_catalogue(tmp_path)


def test_star_level_is_data_the_group_supplies(tmp_path: Path) -> None:
    # No published star-level standard exists, so the sample experts carry none ...
    assert all(expert.star_level is None for expert in load_catalogue().experts)
    # ... and a level given in the data is kept as given.
    catalogue = load_catalogue(_broken_copy(tmp_path, lambda e: e.update(star_level=4)))
    assert catalogue.experts[1].star_level == 4
