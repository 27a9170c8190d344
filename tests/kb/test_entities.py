"""The spaCy EntityRuler maps policy aliases, districts, groups and 文号 to ids; amounts to yuan."""

from __future__ import annotations

import pytest

from policies_kb.entities import EntityMatch, EntityRecognizer, PhraseScanner, is_doc_number
from policies_kb.model import Catalogue
from policies_kb.text import normalize_doc_number

_RECOGNIZERS: dict[int, EntityRecognizer] = {}


def recognizer_for(catalogue: Catalogue) -> EntityRecognizer:
    if id(catalogue) not in _RECOGNIZERS:
        _RECOGNIZERS[id(catalogue)] = EntityRecognizer(catalogue)
    return _RECOGNIZERS[id(catalogue)]


def test_every_unambiguous_policy_form_maps_to_its_id(any_catalogue: Catalogue) -> None:
    recognizer = recognizer_for(any_catalogue)
    failures = []
    for form, ids in any_catalogue.alias_index().items():
        if len(ids) != 1 or is_doc_number(form):
            continue
        text = f"请问{form}怎么申请"
        expected = [EntityMatch("POLICY", 2, 2 + len(form), form, ids[0])]
        found = [m for m in recognizer.recognize(text) if m.label == "POLICY"]
        if found != expected:
            failures.append((form, found))
    assert not failures


def test_districts_and_groups(any_catalogue: Catalogue) -> None:
    recognizer = recognizer_for(any_catalogue)
    vocab = any_catalogue.vocabulary
    for label, terms in (("DISTRICT", vocab.districts), ("GROUP", vocab.applicant_groups)):
        for term in terms.values():
            for form in term.surface_forms:
                matches = recognizer.recognize(form)
                assert [(m.label, m.canonical_id, m.text) for m in matches] == [(label, term.id, form)], form


def test_known_doc_numbers_in_every_bracket_style(any_catalogue: Catalogue) -> None:
    recognizer = recognizer_for(any_catalogue)
    numbers = {s.doc_number for s in any_catalogue.sources.values() if s.doc_number}
    assert numbers
    for number in numbers:
        canonical = normalize_doc_number(number)
        if canonical is None:
            continue  # e.g. an English-style reference
        for opened, closed in ("〔〕", "[]", "()", "（）", "【】"):
            text = "依据" + canonical.replace("〔", opened).replace("〕", closed) + "文件"
            matches = recognizer.recognize(text)
            assert [(m.label, m.canonical_id) for m in matches] == [("DOC_NUMBER", canonical)], text


def test_mixed_message(fixture_catalogue: Catalogue) -> None:
    text = "我在卢湾注册，能申请首创补贴吗？沪人社规[2023]1号说8000元，海归能贷三十万吗"
    got = [(m.label, m.text, m.canonical_id) for m in recognizer_for(fixture_catalogue).recognize(text)]
    assert got == [
        ("DISTRICT", "卢湾", "huangpu"),
        ("POLICY", "首创补贴", "first_business_subsidy"),
        ("DOC_NUMBER", "沪人社规[2023]1号", "沪人社规〔2023〕1号"),
        ("AMOUNT", "8000元", "8000"),
        ("GROUP", "海归", "returned_overseas"),
        ("AMOUNT", "三十万", "300000"),
    ]
    for m in recognizer_for(fixture_catalogue).recognize(text):
        assert text[m.start : m.end] == m.text


def test_unknown_doc_number_and_traditional_text(fixture_catalogue: Catalogue) -> None:
    got = recognizer_for(fixture_catalogue).recognize("國發(2023)15號與黃浦區")
    assert [(m.label, m.canonical_id, m.text) for m in got] == [
        ("DOC_NUMBER", "国发〔2023〕15号", "國發(2023)15號"),
        ("DISTRICT", "huangpu", "黃浦區"),
    ]


def test_phrase_scanner_agrees_with_spacy(fixture_catalogue: Catalogue) -> None:
    text = "我在卢湾注册，能申请首创补贴吗？沪人社规[2023]1号说8000元，海归能贷三十万吗，黄浦区创卡呢"
    assert PhraseScanner(fixture_catalogue).recognize(text) == recognizer_for(fixture_catalogue).recognize(
        text
    )


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("沪人社规〔2023〕1号", "沪人社规〔2023〕1号"), ("沪人社规[2023]1号", "沪人社规〔2023〕1号"),
     ("根据沪财发（2024）4号", "沪财发〔2024〕4号"), ("沪人社规【2022】08号", "沪人社规〔2022〕8号"), ("2023年1号", None)],
)  # fmt: skip
def test_normalize_doc_number(text: str, canonical: str | None) -> None:
    assert normalize_doc_number(text) == canonical
