"""Entity recognition generated from the catalogue: a spaCy EntityRuler plus two regexes.

spacy.blank("zh") uses the character segmenter, which needs no downloaded model; phrase patterns
are matched on characters, so jieba's segmentation can never split a policy name. Closed
vocabularies (policies, districts, groups, known 文号) are EntityRuler phrase patterns whose id is
the canonical id; open-ended forms (any 文号, amounts) are regexes, merged longest-first.
spaCy is imported lazily: importing it costs seconds and only recognition needs it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from zh.normalise import match_form
from zh.numbers import AMOUNT_RE, amount_to_yuan

from .model import Catalogue
from .text import DOC_NUMBER_RE, doc_number_variants, normalize_doc_number

POLICY, DISTRICT, GROUP, DOC_NUMBER, AMOUNT = "POLICY", "DISTRICT", "GROUP", "DOC_NUMBER", "AMOUNT"
LABELS = (POLICY, DISTRICT, GROUP, DOC_NUMBER, AMOUNT)


@dataclass(frozen=True)
class EntityMatch:
    """A recognised span; start/end are character offsets into the text given to recognize().

    canonical_id: policy id, district id, group id, the 文号 written with 〔〕, or the amount in yuan
    as a decimal string.
    """

    label: str
    start: int
    end: int
    text: str
    canonical_id: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "canonical_id": self.canonical_id,
        }


def is_doc_number(text: str) -> bool:
    """True when the whole text is one 文号 such as 沪财发〔2018〕6号."""
    return DOC_NUMBER_RE.fullmatch(match_form(text).strip()) is not None


def ruler_patterns(catalogue: Catalogue) -> list[dict[str, str]]:
    """EntityRuler phrase patterns (label, pattern, id). Aliases naming several policies are left out:
    recognising them would pick one policy arbitrarily; search still uses them."""
    patterns: list[dict[str, str]] = []
    for form, ids in catalogue.alias_index().items():
        # A 文号 used as an alias is recognised as DOC_NUMBER (in every bracket style), never POLICY.
        if len(ids) == 1 and not is_doc_number(form):
            patterns.append({"label": POLICY, "pattern": match_form(form), "id": ids[0]})
    for label, terms in (
        (DISTRICT, catalogue.vocabulary.districts),
        (GROUP, catalogue.vocabulary.applicant_groups),
    ):
        for term in terms.values():
            for form in term.surface_forms:
                patterns.append({"label": label, "pattern": match_form(form), "id": term.id})
    for source in catalogue.sources.values():
        if source.doc_number:
            canonical = normalize_doc_number(source.doc_number) or source.doc_number
            for variant in doc_number_variants(canonical):
                patterns.append({"label": DOC_NUMBER, "pattern": match_form(variant), "id": canonical})
    unique = {(p["label"], p["pattern"], p["id"]): p for p in patterns}
    return list(unique.values())


class EntityRecognizer:
    """recognize(text) -> [EntityMatch]; build once per catalogue (about 0.1 s), reuse for every message."""

    def __init__(self, catalogue: Catalogue):
        import spacy

        self.nlp = spacy.blank("zh")
        ruler = self.nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
        ruler.add_patterns(ruler_patterns(catalogue))

    def recognize(self, text: str) -> list[EntityMatch]:
        from spacy.util import filter_spans

        normalized = match_form(text)
        doc = self.nlp(normalized)
        spans = list(doc.ents)
        ruler_starts = {(s.start_char, s.end_char) for s in spans}
        for regex, label in ((DOC_NUMBER_RE, DOC_NUMBER), (AMOUNT_RE, AMOUNT)):
            for match in regex.finditer(normalized):
                if (match.start(), match.end()) in ruler_starts:
                    continue
                span = doc.char_span(match.start(), match.end(), label=label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        out = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start_char):
            original = text[span.start_char : span.end_char]
            canonical = span.ent_id_
            if span.label_ == AMOUNT:
                canonical = str(amount_to_yuan(original) or "")
            elif span.label_ == DOC_NUMBER and not canonical:
                canonical = normalize_doc_number(original) or original
            out.append(EntityMatch(span.label_, span.start_char, span.end_char, original, canonical))
        return out


class PhraseScanner:
    """Dependency-free stand-in for EntityRecognizer over the same patterns (longest match wins).

    Used by the search index when no spaCy recogniser is supplied, so search ranks the same way in
    processes that never import spaCy (the CLI, the loader)."""

    def __init__(self, catalogue: Catalogue):
        self._patterns = sorted(ruler_patterns(catalogue), key=lambda p: -len(p["pattern"]))

    def recognize(self, text: str) -> list[EntityMatch]:
        normalized = match_form(text)
        taken = [False] * len(normalized)
        found: list[EntityMatch] = []
        candidates = [(p["label"], p["pattern"], p["id"]) for p in self._patterns]
        for regex, label in ((DOC_NUMBER_RE, DOC_NUMBER), (AMOUNT_RE, AMOUNT)):
            for m in regex.finditer(normalized):
                candidates.append((label, m.group(0), ""))
        candidates.sort(key=lambda c: -len(c[1]))
        for label, pattern, canonical in candidates:
            start = normalized.find(pattern)
            while start != -1:
                end = start + len(pattern)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * (end - start)
                    original = text[start:end]
                    if label == AMOUNT:
                        canonical = str(amount_to_yuan(original) or "")
                    elif label == DOC_NUMBER and not canonical:
                        canonical = normalize_doc_number(original) or original
                    found.append(EntityMatch(label, start, end, original, canonical))
                start = normalized.find(pattern, end)
        return sorted(found, key=lambda m: m.start)
