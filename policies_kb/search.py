"""In-memory Chinese search over the catalogue: jieba words + character bigrams, BM25F-style.

Why this shape: the KB is small (tens of items) so a full scan per query costs microseconds, and
ranking quality matters more than scale. Exact name/alias hits dominate, aliases of districts and
groups act as synonyms (海归 also searches 留学回国人员), and items that are no longer in force are
always ranked below their replacement and marked, so a superseded policy is never the top answer.
jieba is used through a private Tokenizer so our user words never leak into Rasa's global one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import jieba

from zh.normalise import match_form

from .entities import DISTRICT, DOC_NUMBER, GROUP, POLICY, EntityMatch, PhraseScanner
from .exports import userdict_entries
from .freshness import freshness
from .model import AllOf, AnyOf, Catalogue, Condition, Leaf, Not, Policy
from .render.labels import LAPSED_MARK
from .text import normalize_doc_number

K1, B = 1.2, 0.75
FIELD_WEIGHTS = {
    "name": 4.0,
    "aliases": 3.0,
    "summary": 1.0,
    "category": 1.0,
    "facts": 0.8,
    "rules": 0.6,
    "notes": 0.4,
    "district": 1.0,
}
BIGRAM_WEIGHT = 0.3  # bigrams rescue mis-segmented words but must not outrank real words
SYNONYM_WEIGHT = 0.6
EXACT_BOOST, CONTAINS_BOOST, DISTRICT_BOOST, GROUP_BOOST, DOC_BOOST = 50.0, 10.0, 4.0, 2.0, 8.0
NOT_CURRENT_FACTOR = 0.5
MIN_RELATIVE_SCORE = 0.12
MIN_SCORE = 1.0  # below this a hit shares only a stray character or common word with the query
# The kind of benefit a question asks for (注册公司有补贴吗 asks for a subsidy; 注册 is the circumstance):
# items whose name and aliases name none of its words rank lower, so the registration item does not
# answer a subsidy question because 注册 is a rarer word than 补贴.
KIND_WORDS = (("补贴", "补助", "资助"), ("贷款", "贷"), ("培训",), ("大赛", "比赛", "竞赛"), ("基金",))
KIND_MISMATCH_FACTOR = 0.15

STOPWORDS = frozenset(
    [
        "的",
        "了",
        "吗",
        "呢",
        "啊",
        "吧",
        "呀",
        "么",
        "我",
        "你",
        "您",
        "他",
        "她",
        "我们",
        "你们",
        "想",
        "想要",
        "要",
        "能",
        "能不能",
        "可以",
        "可不可以",
        "有",
        "有没有",
        "没有",
        "什么",
        "啥",
        "怎么",
        "怎样",
        "如何",
        "哪些",
        "哪个",
        "哪里",
        "多少",
        "请问",
        "问",
        "一下",
        "是",
        "是否",
        "在",
        "和",
        "与",
        "或",
        "及",
        "这个",
        "那个",
        "这",
        "那",
        "个",
        "给",
        "让",
        "对",
        "吧",
        "就",
        "都",
        "也",
        "还",
        "又",
        "下",
        "上",
        "里",
        "中",
        "么",
        "嘛",
        "哦",
        "呢",
        "自己",
        "现在",
        "知道",
        "告诉",
    ]
)
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\w\u4e00-\u9fff]")


@dataclass(frozen=True)
class SearchResult:
    policy_id: str
    name: str
    score: float
    current: bool
    status: str  # the policy status, or "expired" when its expires_on has passed
    superseded_by: str | None = None
    marker: str | None = None  # 【已被替代】 / 【已失效】 for items not in force
    # Share of the query's informative words (weighted by rarity; words the KB never uses count most)
    # that the item contains: a hit on 补贴 alone in 买新能源车有补贴吗 is not an answer.
    coverage: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "policy_id": self.policy_id,
            "name": self.name,
            "score": round(self.score, 3),
            "current": self.current,
            "status": self.status,
            "superseded_by": self.superseded_by,
            "marker": self.marker,
            "coverage": round(self.coverage, 3),
        }


def _condition_groups(node: Condition | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, Leaf):
        return {node.value} if node.field == "groups" and isinstance(node.value, str) else set()
    if isinstance(node, Not):
        return set()  # "not a student" does not make the policy about students
    assert isinstance(node, (AllOf, AnyOf))
    return set().union(*(_condition_groups(c) for c in node.children))


class SearchIndex:
    """Build once from a Catalogue (from files or from the database); search() is read-only and thread-safe."""

    def __init__(self, catalogue: Catalogue, recognizer: Callable[[str], list[EntityMatch]] | None = None):
        self.catalogue = catalogue
        self.recognizer = recognizer or PhraseScanner(catalogue).recognize
        self._jieba = jieba.Tokenizer()
        for word, tag in userdict_entries(catalogue):
            self._jieba.add_word(match_form(word), freq=2000, tag=tag)
        self._policies: list[Policy] = list(catalogue.policies.values())
        self._tf: list[Counter[str]] = []
        self._length: list[float] = []
        for policy in self._policies:
            tf = self._document_terms(policy)
            self._tf.append(tf)
            self._length.append(sum(tf.values()))
        self._avg_length = (sum(self._length) / len(self._length)) if self._length else 1.0
        df: Counter[str] = Counter()
        for tf in self._tf:
            df.update(tf.keys())
        n = len(self._policies)
        self._idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self._forms: dict[str, tuple[str, ...]] = {
            match_form(f): ids for f, ids in catalogue.alias_index().items()
        }
        self._synonyms: dict[str, str] = {}
        for terms in (catalogue.vocabulary.districts, catalogue.vocabulary.applicant_groups):
            for term in terms.values():
                for alias in term.aliases:
                    self._synonyms[match_form(alias)] = match_form(term.name)
        self._by_group: dict[str, set[str]] = {}
        self._by_doc: dict[str, set[str]] = {}
        for policy in self._policies:
            for rule in policy.eligibility:
                for group in _condition_groups(rule.check):
                    self._by_group.setdefault(group, set()).add(policy.id)
            cited = set(policy.sources) | {s for f in policy.facts for s in f.sources}
            cited |= {s for r in policy.eligibility for s in r.sources}
            for source_id in cited:
                source = catalogue.sources.get(source_id)
                if source and source.doc_number:
                    key = normalize_doc_number(source.doc_number) or source.doc_number
                    self._by_doc.setdefault(key, set()).add(policy.id)

    # ------------------------------------------------------------ tokenisation

    def tokens(self, text: str) -> list[str]:
        """jieba search-mode words of the normalised text, without stopwords and punctuation."""
        words = self._jieba.cut_for_search(match_form(text))
        return [w for w in (w.strip() for w in words) if w and w not in STOPWORDS and _WORD.search(w)]

    @staticmethod
    def bigrams(text: str) -> list[str]:
        out = []
        for run in _HAN.findall(match_form(text)):
            out.extend("#" + run[i : i + 2] for i in range(len(run) - 1))
        return out

    def _document_terms(self, policy: Policy) -> Counter[str]:
        vocab = self.catalogue.vocabulary
        fields = {
            "name": policy.name,
            "aliases": " ".join(policy.aliases),
            "summary": policy.summary,
            "category": vocab.categories.get(policy.category, ""),
            "facts": " ".join(f"{f.label} {f.text}" for f in policy.facts),
            "rules": " ".join(r.text for r in policy.eligibility),
            "notes": " ".join(n.text for n in policy.notes),
            "district": vocab.districts[policy.district].name if policy.district in vocab.districts else "",
        }
        tf: Counter[str] = Counter()
        for name, text in fields.items():
            weight = FIELD_WEIGHTS[name]
            for token in self.tokens(text):
                tf[token] += weight
            for token in self.bigrams(text):
                tf[token] += weight * BIGRAM_WEIGHT
        return tf

    # ------------------------------------------------------------ search

    def search(self, query: str, limit: int = 5, on: date | None = None) -> list[SearchResult]:
        """Rank policies for a free-text Chinese query; `on` lets expired-by-date items be demoted too."""
        normalized = match_form(query).strip()
        if not normalized or limit <= 0:
            return []
        weights: Counter[str] = Counter()
        for token in self.tokens(normalized):
            weights[token] += 1.0
            synonym = self._synonyms.get(token)
            if synonym:
                for syn_token in self.tokens(synonym):
                    weights[syn_token] += SYNONYM_WEIGHT
        for token in self.bigrams(normalized):
            weights[token] += BIGRAM_WEIGHT

        scores = [self._bm25(i, weights) for i in range(len(self._policies))]
        # Words only: a name or alias the query contains still counts in full (the boosts below).
        for words in KIND_WORDS:
            if any(w in normalized for w in words):
                for i, policy in enumerate(self._policies):
                    forms = (policy.name, *policy.aliases)
                    if not any(w in f for w in words for f in forms):
                        scores[i] *= KIND_MISMATCH_FACTOR
        index = {p.id: i for i, p in enumerate(self._policies)}
        for form, ids in self._forms.items():
            if form == normalized:
                for pid in ids:
                    scores[index[pid]] += EXACT_BOOST / len(ids)
            elif len(form) >= 2 and form in normalized:
                for pid in ids:
                    scores[index[pid]] += (CONTAINS_BOOST + len(form)) / len(ids)
        for entity in self.recognizer(query):
            self._entity_boost(entity, scores, index)

        current = [self._in_force(p, on) for p in self._policies]
        for i, policy in enumerate(self._policies):
            replacement = index.get(policy.superseded_by or "")
            if not current[i] and replacement is not None and current[replacement] and scores[i] > 0:
                scores[replacement] = max(scores[replacement], scores[i] + 0.01)
        for i in range(len(scores)):
            if not current[i]:
                scores[i] *= NOT_CURRENT_FACTOR

        top = max(scores, default=0.0)
        if top <= 0:
            return []
        ranked = sorted(
            (i for i, s in enumerate(scores) if s >= max(top * MIN_RELATIVE_SCORE, MIN_SCORE)),
            key=lambda i: (-scores[i], i),
        )
        query_tokens = self.tokens(normalized)
        return [
            replace(
                self._result(self._policies[i], scores[i], current[i], on),
                coverage=self._coverage(i, query_tokens),
            )
            for i in ranked[:limit]
        ]

    def _coverage(self, i: int, query_tokens: list[str]) -> float:
        if not query_tokens:
            return 0.0
        rarest = max(self._idf.values(), default=1.0)
        weights = {t: self._idf.get(t, rarest) for t in query_tokens}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in self._tf[i]) / total if total else 0.0

    def _bm25(self, i: int, weights: Counter[str]) -> float:
        tf, norm = self._tf[i], K1 * (1 - B + B * self._length[i] / self._avg_length)
        score = 0.0
        for term, qw in weights.items():
            f = tf.get(term)
            if f:
                score += qw * self._idf[term] * f * (K1 + 1) / (f + norm)
        return score

    def _entity_boost(self, entity: EntityMatch, scores: list[float], index: dict[str, int]) -> None:
        if entity.label == POLICY and entity.canonical_id in index:
            scores[index[entity.canonical_id]] += CONTAINS_BOOST / 2  # on top of the contains boost
        elif entity.label == DISTRICT:
            for i, policy in enumerate(self._policies):
                if policy.district == entity.canonical_id:
                    scores[i] += DISTRICT_BOOST
        elif entity.label == GROUP:
            for pid in self._by_group.get(entity.canonical_id, ()):
                scores[index[pid]] += GROUP_BOOST
        elif entity.label == DOC_NUMBER:
            for pid in self._by_doc.get(entity.canonical_id, ()):
                scores[index[pid]] += DOC_BOOST

    @staticmethod
    def _in_force(policy: Policy, on: date | None) -> bool:
        if not policy.is_current:
            return False
        return on is None or policy.expires_on is None or policy.expires_on >= on

    def _result(self, policy: Policy, score: float, current: bool, on: date | None) -> SearchResult:
        status = policy.status if policy.status != "current" or current else "expired"
        marker = None
        if not current:
            marker = "【已被替代】" if policy.status == "superseded" else "【已失效】"
        if on is not None and current:
            fresh = freshness(policy, on, self.catalogue)
            if fresh.status == "expiring_soon":
                marker = "【即将到期】"
            elif fresh.lapsed:  # ranked as current: an extension may still be published
                status, marker = "lapsed", LAPSED_MARK
        return SearchResult(policy.id, policy.name, score, current, status, policy.superseded_by, marker)


def shared_alias_meaning(
    catalogue: Catalogue,
    text: str,
    named: Sequence[str] = (),
    groups: Sequence[str] = (),
    covered: Sequence[tuple[int, int]] = (),
) -> list[str]:
    """The policy each alias shared by several policies (社保补贴) stands for in this message, read from
    its context; ids the context cannot decide between are left out (the caller asks or searches).

    `named`: the policies the message names unambiguously, `groups`: the applicant groups of the
    message or the user's profile, `covered`: spans already recognised (初创期社保补贴 is not 社保补贴).
    Context, first match wins: the owner whose name or aliases name one of the groups (a graduate's
    社保补贴 is the graduates' one); the owner of the same category as a named policy (社保补贴和场地补贴:
    the two subsidies of a business); the owner whose name holds another word of the message."""
    normalized = match_form(text)
    vocab = catalogue.vocabulary
    found: list[str] = []
    for form, ids in catalogue.alias_index().items():
        key = match_form(form)
        if len(ids) < 2 or len(key) < 2:
            continue
        start = normalized.find(key)
        if start < 0 or any(s <= start and start + len(key) <= e for s, e in covered):
            continue
        owners = [catalogue.policies[i] for i in ids if i not in named]
        group_forms = [
            f for g in groups if g in vocab.applicant_groups for f in vocab.applicant_groups[g].surface_forms
        ]
        by_group = [p for p in owners if any(f in w for f in group_forms for w in (p.name, *p.aliases))]
        categories = {catalogue.policies[i].category for i in named if i in catalogue.policies}
        by_category = [p for p in owners if p.category in categories]
        rest = normalized.replace(key, " ")
        words = {rest[i : i + 2] for i in range(len(rest) - 1)} - {"补贴", "创业", "政策", "申请"}
        by_word = [p for p in owners if any(w in p.name for w in words if " " not in w)]
        for candidates in (by_group, by_category, by_word):
            if len(candidates) == 1:
                if candidates[0].id not in found:
                    found.append(candidates[0].id)
                break
    return found
