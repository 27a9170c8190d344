"""文号 (document numbers) as people type them: 沪人社规[2023]1号 → 沪人社规〔2023〕1号.

Reading Chinese in general (normalisation, numerals, amounts) lives in zh/; a 文号 is the
knowledge base's own vocabulary.
"""

from __future__ import annotations

import re

from zh.normalise import match_form

_OPEN, _CLOSE = "〔[(（【［", "〕])）】］"
DOC_NUMBER_RE = re.compile(
    r"(?P<prefix>(?:沪|国|财|人社|中|京|苏|浙|皖|粤)[\u4e00-\u9fff]{0,8}?)"
    rf"[{re.escape(_OPEN)}]\s*(?P<year>(?:19|20)\d\d)\s*[{re.escape(_CLOSE)}]\s*(?P<num>\d{{1,4}})\s*号"
)


def normalize_doc_number(text: str) -> str | None:
    """沪人社规[2023]1号 / (2023) / （2023） -> 沪人社规〔2023〕1号; None when it is not a 文号."""
    match = DOC_NUMBER_RE.search(match_form(text))
    if not match:
        return None
    return f"{match.group('prefix')}〔{match.group('year')}〕{int(match.group('num'))}号"


def doc_number_variants(doc_number: str) -> list[str]:
    """The ways people type a 文号: 〔〕 as published, and [] () （） 【】 ［］ substitutes."""
    match = DOC_NUMBER_RE.fullmatch(doc_number)
    if not match:
        return [doc_number]
    prefix, year, num = match.group("prefix"), match.group("year"), match.group("num")
    return list(dict.fromkeys(f"{prefix}{o}{year}{c}{num}号" for o, c in zip(_OPEN, _CLOSE, strict=True)))
