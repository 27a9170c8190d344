"""Eligibility conversations: ask only what the rules still need, then answer with reasons.

The form has one required slot, `profile_answer`, filled with whatever the user replies. Validation
reads that reply as the answer to the question asked (`parse_answer` knows the question, so "都没有"
to "which subsidies" is no subsidy, not a hukou), adds the facts the user volunteers or corrects on
the way (e.g. "不对，我是前年毕业的"), merges them into the `profile` slot, and keeps the form open
while the KB's eligibility engine still reports missing fields. The questions come from the KB, so a
new rule in a policy file needs no change here.

The form keeps what it asked for: the question asked stays pending (`_pending` in the profile) until
the user replies to it. A reply it cannot read is asked again (`_reask`, the parser's own re-ask),
and after an interruption (a policy question, "你是机器人吗", a greeting) the same question comes back
instead of the next one. Only replied questions (`_asked`) are never asked again, so "不知道" skips.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.knowledge import knowledge_base, today
from actions.policy_answers import latest_entity_values
from actions.responses import text_of
from policies_kb import (
    ELIGIBLE,
    NEED_MORE_INFO,
    NOT_ELIGIBLE,
    QUESTIONS,
    KnowledgeBase,
    ProfileError,
    render_check_all,
)
from policies_kb.deadlines import application_deadlines
from policies_kb.eligibility import condition_answer
from policies_kb.model import Policy
from policies_kb.profile import BOUNDS, FIELD_TYPES, ApplicantProfile
from policies_kb.profile_text import extract_profile, parse_answer
from policies_kb.render.checks import CONDITION_HEADS, condition_reply, decided_verdict
from policies_kb.render.labels import STATUS_LABELS
from zh.answers import CORRECTION_RE

ALL_POLICIES = "all"
COMPLETE = "__complete__"
# A general "what can I get" check asks at most this many questions before answering.
MAX_GENERAL_QUESTIONS = 6
NONE_WORDS = ("没有", "没领", "没拿", "都没", "无", "不是", "否")
SKIP_WORDS = (
    "不知道",
    "不清楚",
    "不确定",
    "跳过",
    "忘了",
    "说不好",
    "记不清",
    "不记得",
    "说不准",
    "没印象",
    "得问",
)
# Kinds of value one phrase carries for one field only ("2024年6月毕业" is not also the registration date).
QUANTITY_KINDS = ("date", "int", "number")
BOOL_BUTTONS = [{"title": "是", "payload": "是"}, {"title": "不是", "payload": "不是"}]


def jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    return value


def stored_profile(tracker: Tracker) -> dict[str, Any]:
    profile = tracker.get_slot("profile")
    return dict(profile) if isinstance(profile, dict) else {}


def merge(profile: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    merged = dict(profile)
    for key, value in updates.items():
        if key == BOUNDS and isinstance(value, dict):
            ranges = dict(merged.get(BOUNDS) or {})
            for name, (lo, hi) in value.items():
                lo, hi = jsonable(lo), jsonable(hi)
                if isinstance(merged.get(name), str) and lo <= merged[name] <= hi:
                    continue  # "2025年注册的" restates the month said before: keep the month
                ranges[name] = [lo, hi]
                merged.pop(name, None)  # a year outside the date said before corrects it
            merged[BOUNDS] = ranges
        elif key == "groups" and isinstance(value, (set, frozenset, list)):
            merged[key] = sorted(set(merged.get(key) or []) | set(value))
        else:
            merged[key] = jsonable(value)
            if key in (merged.get(BOUNDS) or {}):  # the full date replaces its year
                merged[BOUNDS] = {k: v for k, v in merged[BOUNDS].items() if k != key}
    if BOUNDS in merged and not merged[BOUNDS]:
        merged.pop(BOUNDS)
    return merged


def stated_fields(facts: dict[str, Any]) -> set[str]:
    """The fields a message states itself (a year-only date included), not the ones implied."""
    return {f for f in facts if f not in IMPLIED_FIELDS and f != BOUNDS} | set(facts.get(BOUNDS) or {})


ASKED, PENDING, REASK = "_asked", "_pending", "_reask"


def asked_fields(profile: dict[str, Any]) -> list[str]:
    """The fields whose question the user has replied to (answered or skipped)."""
    return list(profile.get(ASKED, []))


def replied(profile: dict[str, Any], field: str | None) -> dict[str, Any]:
    """The profile once the user has replied to the question for `field`."""
    out = dict(profile)
    out.pop(REASK, None)
    if field is not None:
        out[ASKED] = [*(f for f in asked_fields(out) if f != field), field]
        if out.get(PENDING) == field:
            out.pop(PENDING)
    return out


def user_fields(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile without our bookkeeping keys."""
    return {k: v for k, v in profile.items() if not k.startswith("_")}


def form_policy(kb: KnowledgeBase, tracker: Tracker) -> tuple[str, bool]:
    """(the policy the open check is about, whether it had to fall back to all policies).

    A conversation kept in the tracker store outlives a knowledge-base reload that removes or
    renames the policy it was checking."""
    policy_id = tracker.get_slot("eligibility_policy") or ALL_POLICIES
    if policy_id == ALL_POLICIES or policy_id in kb.catalogue.policies:
        return policy_id, False
    return ALL_POLICIES, True


def accepted_profile(kb: KnowledgeBase, profile: dict[str, Any]) -> dict[str, Any]:
    """The stored profile without the values the knowledge base no longer accepts (a reload may drop
    an applicant group or a policy id); the questions for them are simply asked again."""
    try:
        kb.profile(user_fields(profile))
        return profile
    except ProfileError:
        pass

    def accepted(key: str, value: Any) -> bool:
        try:
            kb.profile({key: value})
            return True
        except ProfileError:
            return False

    kept = {k: v for k, v in profile.items() if k.startswith("_")}
    for key, value in user_fields(profile).items():
        if isinstance(value, list) and value:  # ["dropped_group"] must not become "none of them"
            value = [item for item in value if accepted(key, [item])] or None
        if value is not None and accepted(key, value):
            kept[key] = value
    changed = {k for k, v in user_fields(profile).items() if kept.get(k) != v}
    kept[ASKED] = [f for f in asked_fields(profile) if f not in changed]
    return kept


def missing_fields(kb: KnowledgeBase, policy_id: str, profile: dict[str, Any], on: date) -> list[str]:
    """The fields still worth asking, most useful first; empty when the answer can be given."""
    applicant = kb.profile(user_fields(profile))
    asked = set(asked_fields(profile))
    if policy_id != ALL_POLICIES:
        result = kb.check(policy_id, applicant, on)
        if result.status != NEED_MORE_INFO or not result.current:
            return []
        return [f for f in result.missing_fields if f not in asked]
    if len(asked) >= MAX_GENERAL_QUESTIONS:
        return []
    needed: Counter[str] = Counter()
    for result in kb.check_all(applicant, on):
        policy = kb.get(result.policy_id)
        if result.current and policy.scope == "city" and result.status == NEED_MORE_INFO:
            needed.update(f for f in result.missing_fields if f not in asked)
    return [f for f, _ in needed.most_common()]


def next_missing_field(kb: KnowledgeBase, policy_id: str, profile: dict[str, Any], on: date) -> str | None:
    """The next field to ask: the question still waiting for its reply, else the most useful one."""
    fields = missing_fields(kb, policy_id, profile, on)
    if profile.get(PENDING) in fields:
        return profile[PENDING]
    return fields[0] if fields else None


def read_reply(
    kb: KnowledgeBase, field: str | None, text: str, on: date
) -> tuple[dict[str, Any], bool, str | None, frozenset[str]]:
    """(profile updates, whether the reply answers `field`, a re-ask when it neither answers nor says
    anything, the other fields the user says they do not know: "社保交了几个月我不清楚").

    The question asked is read with its own parser first: a short reply is an answer to it, never a
    fact about another field. Facts stated on the way ("…，我是2024年6月毕业的", "不对，…") are added
    for the other fields. When such a fact takes the reply's value for a field of the same kind (a
    date said with "毕业" while the registration date was asked), the reply does not answer the
    question, which stays pending.
    """
    volunteered = extract_profile(text, on)
    if field is None:
        return volunteered, False, None, frozenset()
    if any(word in text for word in SKIP_WORDS):
        about = asked_topics(text) - set(volunteered)
        if about and field not in about:  # the unknown is another fact; the question stays
            return volunteered, False, None, about
        return volunteered, True, None, frozenset()
    kind = FIELD_TYPES.get(field)
    named = set(volunteered) | set(volunteered.get(BOUNDS) or {})
    if kind in QUANTITY_KINDS and any(f != field and FIELD_TYPES.get(f) == kind for f in named):
        return volunteered, False, None, frozenset()
    if CORRECTION_RE.search(text) and named - {field} and field not in named:
        # "不对，我是2023年毕业的" corrects a fact said before; it is no answer to the question asked
        # (read as one, "2023年" would be 2023 years of social insurance).
        return volunteered, False, None, frozenset()
    value, problem = parse_field(kb, field, text, on)
    if problem is None:
        return {**volunteered, field: value}, True, None, frozenset()
    if field in volunteered:
        return volunteered, True, None, frozenset()
    if kind == "date" and (span := parse_answer(field, text, on).bounds) is not None:
        # "2020年": the year may decide the rules; if it does not, the month is asked for.
        return (
            {**volunteered, BOUNDS: {**(volunteered.get(BOUNDS) or {}), field: span}},
            False,
            problem,
            frozenset(),
        )
    return volunteered, False, None if volunteered else problem, frozenset()


def parse_field(kb: KnowledgeBase, field: str, text: str, on: date) -> tuple[Any, str | None]:
    """(value, None) or (None, a Chinese re-ask). Subsidy names are matched against the KB."""
    if field == "subsidies_received":
        named = {m.canonical_id for m in kb.recognize(text) if m.label == "POLICY"}
        if named:
            return sorted(named), None
        if any(word in text for word in NONE_WORDS):
            return [], None
        return None, "请说出领过的补贴名称（例如“首次创业一次性补贴”），没有领过请回答“没有”。"
    parsed = parse_answer(field, text, on)
    if not parsed.ok:
        return None, parsed.message_zh or "没听明白，请换个说法。"
    return parsed.value, None


# The condition a yes/no question is about ("外地户口能贷款吗" -> hukou), by the words that name it.
CONDITION_TOPICS: tuple[tuple[str, frozenset[str]], ...] = (
    (r"户口|户籍|居住证|外地|本地人|外省|非沪", frozenset({"hukou"})),
    (r"注册|成立|开业|经营", frozenset({"registration_date"})),
    (r"\d+岁|年龄|年纪|多大", frozenset({"age"})),
    (r"社保", frozenset({"social_insurance_months"})),
    (r"毕业", frozenset({"graduation_date"})),
    (r"员工|雇|招人", frozenset({"employees"})),
    (r"注册在|落在|在.{1,4}区", frozenset({"registration_district"})),
    (r"贴息.{0,4}次|\d次", frozenset({"loan_history_count"})),
    (r"征信|信用记录|不良记录|逾期", frozenset({"good_credit"})),
    (r"失信|老赖", frozenset({"dishonest_debtor"})),
    (r"计划书|项目计划|创业计划", frozenset({"has_business_plan"})),
    (r"推荐", frozenset({"school_recommendation"})),
    (r"法人|法定代表人", frozenset({"legal_representative"})),
    (r"孵化协议|入驻", frozenset({"incubation_agreement"})),
    (r"灵活就业登记", frozenset({"flexible_employment_registered"})),
)
# Fields a message's other facts imply (a graduation date -> the group, "公司" -> the organisation type).
IMPLIED_FIELDS = frozenset({"groups", "business_type"})
YES_NO_RE = re.compile(r"能不能|能否|可不可以|(?:可以|能|可).{0,24}(?:吗|么|不)|行不行|行吗|算不算")
NOT_ELIGIBLE_HEAD = STATUS_LABELS[NOT_ELIGIBLE]
FIRST_PERSON = re.compile(r"我|本人")
LOAN_WORDS = re.compile(r"贷款|贷")


def checkable(policy: Policy) -> bool:
    """Whether the engine can decide anything about the policy (a rule with a check)."""
    return any(rule.check is not None for rule in policy.eligibility)


def reminder_offer(
    kb: KnowledgeBase, policy_id: str, applicant: ApplicantProfile, on: date, domain: DomainDict
) -> list[dict[str, str]]:
    """ "到期前提醒我" under a verdict of eligible whose deadline follows from the user's date."""
    if policy_id not in kb.catalogue.policies or kb.check(policy_id, applicant, on).status != ELIGIBLE:
        return []
    if not any(d.due_on >= on for d in application_deadlines(kb.get(policy_id), applicant, on)):
        return []
    payload = "/remind_deadline" + json.dumps({"policy": policy_id}, ensure_ascii=False)
    return [{"title": text_of(domain, "utter_reminder_offer"), "payload": payload}]


def full_check_button(policy_id: str) -> list[dict[str, str]]:
    payload = "/check_eligibility" + json.dumps({"policy": policy_id}, ensure_ascii=False)
    return [{"title": "完整判断", "payload": payload}]


def asked_topics(text: str) -> frozenset[str]:
    found: set[str] = set()
    for pattern, fields in CONDITION_TOPICS:
        if re.search(pattern, text):
            found |= fields
    return frozenset(found)


def decided_reply(kb: KnowledgeBase, policy_id: str, profile: dict[str, Any], on: date) -> str | None:
    """The final verdict when the profile already decides the policy (eligible or not), else None."""
    if policy_id == ALL_POLICIES:
        return None
    applicant = kb.profile(user_fields(profile))
    result = kb.check(policy_id, applicant, on)
    if not result.current or result.status not in (ELIGIBLE, NOT_ELIGIBLE):
        return None
    others = kb.check_all(applicant, on) if result.status == NOT_ELIGIBLE else []
    return decided_verdict(result, kb.get(policy_id), others, kb.catalogue)


def condition_reply_for(
    kb: KnowledgeBase, policy_id: str, text: str, facts: dict[str, Any], on: date
) -> tuple[str, str] | None:
    """(the answer, the policy) to a yes/no question about one condition, else None."""
    topics = asked_topics(text) | stated_fields(facts)
    if not topics or not YES_NO_RE.search(text) or len(topics) > 2:
        return None
    if policy_id != ALL_POLICIES and not checkable(kb.get(policy_id)):
        candidates = [p for p in kb.get(policy_id).related if p in kb.catalogue.policies]
        candidates = [p for p in candidates if checkable(kb.get(p)) and kb.get(p).status == "current"]
    elif policy_id == ALL_POLICIES:
        if not LOAN_WORDS.search(text):
            return None
        candidates = [
            p.id
            for p in kb.catalogue.policies.values()
            if p.category == "loan" and p.status == "current" and p.scope == "city" and p.eligibility
        ]
    else:
        candidates = [policy_id]
    applicant = kb.profile(user_fields(merge({}, facts)))
    replies = []
    for candidate in candidates:
        answer = condition_answer(kb.get(candidate), applicant, set(topics), on, kb.catalogue)
        if answer.lines:
            replies.append((condition_reply(answer), candidate))
    if not replies:
        return None
    if FIRST_PERSON.search(text) and all(r.startswith(CONDITION_HEADS["unknown"]) for r, _ in replies):
        # "我是上海户口，能申请…吗" asks about the person and the condition alone does not settle it:
        # the full check. A condition that is met or failed on its own ("我26岁可以…吗") is the answer.
        return None
    if len(replies) == 1:
        return replies[0]
    return "\n\n".join(r for r, _ in replies), ALL_POLICIES


# What may join two names into one ("黄浦创卡零成本工位", "黄浦创卡的零成本工位").
COMPOUND_GAP = re.compile(r"[的之·\s]?")


def named_policies(tracker: Tracker, kb: KnowledgeBase) -> list[str]:
    """The policies the latest message names, without a name that only qualifies the next one: in
    "黄浦创卡零成本工位" the program's name says whose workspace it is (the head comes last)."""
    text = tracker.latest_message.get("text") or ""
    mentions = sorted(
        (e for e in tracker.latest_message.get("entities", []) if e.get("entity") == "policy"),
        key=lambda e: e.get("start") or 0,
    )
    qualifiers = set()
    for first, second in zip(mentions, mentions[1:], strict=False):
        gap_start, gap_end = first.get("end"), second.get("start")
        if (
            isinstance(gap_start, int)
            and isinstance(gap_end, int)
            and first.get("value") != second.get("value")
            and 0 <= gap_end - gap_start <= 1
            and COMPOUND_GAP.fullmatch(text[gap_start:gap_end])
        ):
            qualifiers.add(first.get("value"))
    named = [p for p in latest_entity_values(tracker, "policy") if p in kb.catalogue.policies]
    return [p for p in named if p not in qualifiers] or named


def choose_policy(tracker: Tracker, kb: KnowledgeBase) -> str:
    named = named_policies(tracker, kb)
    if named:  # the one the engine can check, when a message names a base and its subsidy
        return next((p for p in named if checkable(kb.get(p))), named[0])
    previous = tracker.get_slot("eligibility_policy") or tracker.get_slot("policy")
    if previous in kb.catalogue.policies or previous == ALL_POLICIES:
        return previous
    return ALL_POLICIES


class ActionStartEligibility(Action):
    def name(self) -> str:
        return "action_start_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb, on = knowledge_base(), today()
        policy_id = choose_policy(tracker, kb)
        text = tracker.latest_message.get("text") or ""
        facts = extract_profile(text, on)
        profile = merge(stored_profile(tracker), facts)
        # Inside the same check ("我是上海户口，能申请吗" while it runs) the replies so far still count:
        # a question skipped with "不知道" is not asked again.
        same_check = tracker.active_loop_name == "eligibility_form" and policy_id == tracker.get_slot(
            "eligibility_policy"
        )
        for key in (PENDING, REASK) if same_check else (ASKED, PENDING, REASK):
            profile.pop(key, None)
        profile[ASKED] = profile.get(ASKED, []) if same_check else []
        several = [p for p in named_policies(tracker, kb) if checkable(kb.get(p))]
        direct = self.answer_each(kb, several, text, facts, profile, on) or self.direct_answer(
            kb, policy_id, text, facts, profile, on
        )
        if direct is not None:
            reply, buttons, events = direct
            dispatcher.utter_message(text=reply, buttons=buttons)
            return [
                *events,
                SlotSet("profile", profile),
                SlotSet("requested_profile_field", None),
                SlotSet("profile_answer", None),
                FollowupAction("action_listen"),
            ]
        try:
            missing = next_missing_field(kb, policy_id, profile, on)
        except ProfileError:
            profile, missing = {ASKED: []}, next_missing_field(kb, policy_id, {}, on)
        if missing is not None and not same_check:
            if policy_id == ALL_POLICIES:
                dispatcher.utter_message(response="utter_eligibility_intro_all")
            else:
                dispatcher.utter_message(
                    response="utter_eligibility_intro", policy_name=kb.get(policy_id).name
                )
        return [
            SlotSet("eligibility_policy", policy_id),
            SlotSet("profile", profile),
            SlotSet("requested_profile_field", None),
            SlotSet("profile_answer", COMPLETE if missing is None else None),
        ]

    @classmethod
    def answer_each(
        cls,
        kb: KnowledgeBase,
        policy_ids: list[str],
        text: str,
        facts: dict[str, Any],
        profile: dict[str, Any],
        on: date,
    ) -> tuple[str, list[dict[str, str]], list[EventType]] | None:
        """One reply for a message that names several checkable policies ("A和B我能申请吗"), when the
        message decides (or answers the yes/no question) for each; else None and the first is checked."""
        if len(policy_ids) < 2:
            return None
        answers = [cls.direct_answer(kb, p, text, facts, profile, on) for p in policy_ids]
        if any(a is None for a in answers):
            return None
        replies = "\n\n".join(a[0] for a in answers if a is not None)
        return replies, [], [SlotSet("eligibility_policy", policy_ids[0])]

    @staticmethod
    def direct_answer(
        kb: KnowledgeBase,
        policy_id: str,
        text: str,
        facts: dict[str, Any],
        profile: dict[str, Any],
        on: date,
    ) -> tuple[str, list[dict[str, str]], list[EventType]] | None:
        """The reply that needs no form: a verdict the message's facts decide, or the answer to a
        yes/no question about one condition (with a button for the full check)."""
        try:
            # Several facts ask for the verdict; a single one makes the question about that condition.
            stated = stated_fields(facts)
            verdict = decided_reply(kb, policy_id, profile, on) if facts else None
            if len(stated) >= 2:  # several facts: the verdict when they decide it, else the form
                condition = None
            else:
                condition = condition_reply_for(kb, policy_id, text, facts, on)
                refused = bool(verdict) and NOT_ELIGIBLE_HEAD in (verdict or "").split("\n")[0]
                if condition and refused and not condition[0].startswith(CONDITION_HEADS["not_met"]):
                    condition = None  # a fact the user gave rules it out: that "no" is the answer
                elif condition:
                    verdict = None
        except ProfileError:
            return None
        if condition is not None:
            reply, about = condition
            buttons = full_check_button(about) if about != ALL_POLICIES else []
            return reply, buttons, [SlotSet("eligibility_policy", about)]
        if verdict is not None:
            return verdict, [], [SlotSet("eligibility_policy", policy_id)]
        return None


def year_question(field: str, profile: dict[str, Any], on: date) -> str:
    """The question for `field`; for a date whose year alone was said, the question for its month."""
    span = (profile.get(BOUNDS) or {}).get(field)
    if span and span[0][:4] == span[1][:4]:
        parsed = parse_answer(field, f"{span[0][:4]}年", on)
        if parsed.message_zh:
            return parsed.message_zh
    return QUESTIONS[field]


class ActionAskProfileAnswer(Action):
    def name(self) -> str:
        return "action_ask_profile_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb, on = knowledge_base(), today()
        profile = accepted_profile(kb, stored_profile(tracker))
        policy_id, fell_back = form_policy(kb, tracker)
        events: list[EventType] = [SlotSet("eligibility_policy", policy_id)] if fell_back else []
        if fell_back:
            dispatcher.utter_message(response="utter_eligibility_policy_gone")
        field = next_missing_field(kb, policy_id, profile, on)
        if field is None:  # nothing left to ask: let validation complete the form
            return [*events, SlotSet("profile_answer", COMPLETE)]
        buttons = BOOL_BUTTONS if FIELD_TYPES.get(field) == "bool" else []
        reask = profile.pop(REASK, None)
        question = reask if reask and profile.get(PENDING) == field else year_question(field, profile, on)
        dispatcher.utter_message(text=question, buttons=buttons)
        profile[PENDING] = field
        return [*events, SlotSet("requested_profile_field", field), SlotSet("profile", profile)]


# Intents the slot mapping refuses that a reply to the form's question may still be given
# (a fact sentence the classifier took for another service, or for a policy question).
REREAD_INTENTS = frozenset({"out_of_scope", "ask_policy"})
QUESTION_RE = re.compile(r"[?？吗呢]|怎么|如何|哪些|什么|多少|哪里|哪儿")


def reread_reply(tracker: Tracker, on: date) -> str | None:
    """The user's text as the reply to the pending question when the classifier sent it elsewhere
    but it states a profile fact or says the user does not know, and asks nothing."""
    field = tracker.get_slot("requested_profile_field")
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    text = (tracker.latest_message.get("text") or "").strip()
    if not field or intent not in REREAD_INTENTS or not text or text.startswith("/"):
        return None
    if QUESTION_RE.search(text):
        return None
    if extract_profile(text, on) or any(word in text for word in SKIP_WORDS):
        return text
    return None


class ValidateEligibilityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_eligibility_form"

    async def extract_profile_answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A fact sentence the slot mapping refused (classified out of scope or as a policy question)
        is still the reply: without this the form is rejected and the fact is lost."""
        if tracker.get_slot("profile_answer") is not None:
            return {}
        text = reread_reply(tracker, today())
        return {"profile_answer": text} if text is not None else {}

    async def validate_profile_answer(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        kb, on = knowledge_base(), today()
        policy_id, _ = form_policy(kb, tracker)  # the next question says so when it fell back
        profile = accepted_profile(kb, stored_profile(tracker))
        text = str(value or "")
        if text != COMPLETE:
            field = tracker.get_slot("requested_profile_field") or profile.get(PENDING)
            updates, answered, problem, unknown = read_reply(kb, field, text, on)
            if problem and not updates:  # asked again by action_ask_profile_answer, in the parser's words
                return {"profile_answer": None, "profile": {**profile, REASK: problem}}
            candidate = merge(profile, updates)
            try:
                kb.profile(user_fields(candidate))
            except ProfileError as error:  # the question is asked again after the explanation
                dispatcher.utter_message(text="；".join(error.messages))
                return {"profile_answer": None, "profile": profile}
            profile = replied(candidate, field) if answered else {**candidate}
            for other in unknown:  # skipped like a "不知道" to its own question
                profile[ASKED] = [*(f for f in asked_fields(profile) if f != other), other]
            profile.pop(REASK, None)
            if problem:  # a year alone: asked for the month unless the year decides
                profile[REASK] = problem
        missing = next_missing_field(kb, policy_id, profile, on)
        return {"profile_answer": COMPLETE if missing is None else None, "profile": profile}


class ActionReportEligibility(Action):
    def name(self) -> str:
        return "action_report_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        kb, on = knowledge_base(), today()
        policy_id, fell_back = form_policy(kb, tracker)
        applicant = kb.profile(user_fields(accepted_profile(kb, stored_profile(tracker))))
        if fell_back:
            dispatcher.utter_message(response="utter_eligibility_policy_gone")
        if policy_id == ALL_POLICIES:
            dispatcher.utter_message(text=render_check_all(kb.check_all(applicant, on), kb.catalogue))
        else:
            result = kb.check(policy_id, applicant, on)
            others = kb.check_all(applicant, on) if result.status == NOT_ELIGIBLE else []
            if result.current and result.status in (ELIGIBLE, NOT_ELIGIBLE):
                text = decided_verdict(result, kb.get(policy_id), others, kb.catalogue)
            else:
                text = kb.render_check(result)
            dispatcher.utter_message(text=text, buttons=reminder_offer(kb, policy_id, applicant, on, domain))
        return [SlotSet("profile_answer", None), SlotSet("requested_profile_field", None)]


class ActionStopEligibility(Action):
    def name(self) -> str:
        return "action_stop_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(response="utter_eligibility_stopped")
        return [
            ActiveLoop(None),
            SlotSet("requested_slot", None),
            SlotSet("profile_answer", None),
            SlotSet("requested_profile_field", None),
        ]
