"""Short answers to a question: yes/no, "don't know", corrections, negation, skip, "any", ordinals,
scores and names, and closed-vocabulary terms named in an answer.

Two kinds of yes/no question read the same words differently, so each has its reader:

- a fact question ("是否首次创业？", "有创业计划书吗？"): the answer may stand anywhere in the reply
  and 有/没有/已经 are answers (`yes_no`); the knowledge base's profile answers use it;
- a confirmation ("以上信息确认无误吗？"): only the opening word counts, and 修改/有误 mean no
  (`parse_yes_no`); the booking form uses it.

The words both kinds share are listed once (_YES_CORE, _NO_CORE).
"""

from __future__ import annotations

import re
from typing import Literal

from zh.normalise import compact
from zh.numbers import CN_DIGITS

# -- yes / no ------------------------------------------------------------------------------------

_YES_CORE = ("是", "对", "嗯", "没错", "没问题")
_NO_CORE = ("不", "否")
CONFIRM_YES = (*_YES_CORE, "确认", "确定", "好", "可以", "提交", "ok", "OK", "行")
CONFIRM_NO = (*_NO_CORE, "别", "错", "修改", "有误", "no", "No")
_FACT_YES = (*_YES_CORE, "不错", "当然", "肯定", "必须的", "有", "恩", "好的", "已", "签了", "办了", "办好")
_FACT_NO = (*_NO_CORE, "没", "无", "未")
# Replies that are only a sign (👍), or a Latin word alone, also answer a fact question.
SIGNS_RE = re.compile(r"👍|👌|✅|√|👎|❌|×")
_FACT_YES_RE = re.compile("|".join(map(re.escape, _FACT_YES)) + r"|^(?:yes|y|ok|okay)$|👍|👌|✅|√")
_FACT_NO_RE = re.compile("|".join(map(re.escape, _FACT_NO)) + r"|^(?:no|n|nope)$|👎|❌|×")
_NOT_A_NO = re.compile(r"没问题|没错|不错")  # yes words that contain a no word


def says_no(t: str) -> bool:
    """Whether a prepared (lower-case) reply contains a no word: 不是, 没有, 未, ❌ …"""
    return bool(_FACT_NO_RE.search(t))


def yes_no(t: str) -> bool | None:
    """A reply to a fact question: True, False, or None when it says neither ("没问题" is yes)."""
    if _NOT_A_NO.search(t):
        return True
    if says_no(t):
        return False
    if _FACT_YES_RE.search(t):
        return True
    return None


def parse_yes_no(text: str, hint: Literal["yes", "no"] | None = None) -> Literal["yes", "no"] | None:
    """A reply to a confirmation: "yes", "no" or None; `hint` is what NLU understood, if anything."""
    compacted = compact(text)
    if hint == "no" or any(compacted.startswith(w) for w in CONFIRM_NO):
        return "no"
    if hint == "yes" or any(compacted.startswith(w) for w in CONFIRM_YES):
        return "yes"
    return None


# -- don't know, corrections, negation ---------------------------------------------------------------

_UNKNOWN_RE = re.compile(
    r"不知道|不清楚|不确定|不记得|记不清|忘了|说不好|不好说|说不准|拿不准|没印象|不太懂|不懂|啥意思|什么意思|无所谓"
)
CORRECTION_RE = re.compile(
    r"不对|错了|说错了?|搞错了?|更正(?:一下)?|纠正(?:一下)?|改一下|改成|应该是|其实是|准确(?:地|的)?说|哦不|不不"
)
_NOT_X_BUT_Y_RE = re.compile(r"不是[^,，。;；!！?？]+?[,，、;；]?(?:而)?是(?P<y>.+)$")
CONTENT_RE = re.compile(r"[\u4e00-\u9fff\d%a-z]")
_NEGATION_BEFORE_RE = re.compile(r"(?:不是|不属于|不算|没有|没|不|非|无|未)(?:在|是|办|有|持有)?$")


def says_unknown(t: str) -> bool:
    """不知道 / 不记得 / 说不好 …"""
    return bool(_UNKNOWN_RE.search(t))


def split_correction(t: str) -> tuple[str, str]:
    """(what was said before the last correction, what counts): "2023年3月，不对，4月" → ("2023年3月，", "4月").

    After 不对/错了/说错了/应该是/其实是… only the tail counts; "不是X，是Y" counts Y.
    """
    match = None
    for match in CORRECTION_RE.finditer(t):  # noqa: B007 - the last one is wanted
        pass
    if match is not None and CONTENT_RE.search(t[match.end() :]):
        before, t = t[: match.start()], t[match.end() :]
    else:
        before = ""
    but = _NOT_X_BUT_Y_RE.search(t)
    if but and CONTENT_RE.search(but.group("y")):
        before, t = before + t[: but.start("y")], but.group("y")
    return before, t.lstrip(",，。.;；:：、!！ ")


def negated(t: str, start: int) -> bool:
    """Whether the word at t[start:] is negated by what stands just before it (不是, 没有, 非 …)."""
    return bool(_NEGATION_BEFORE_RE.search(t[max(0, start - 4) : start]))


def find_terms(t: str, forms: dict[str, str]) -> list[tuple[int, int, str]]:
    """Longest-first, non-overlapping matches of surface forms (form → id): (start, end, id)."""
    hits: list[tuple[int, int, str]] = []
    i = 0
    ordered = sorted(forms, key=len, reverse=True)
    while i < len(t):
        for form in ordered:
            if t.startswith(form, i):
                hits.append((i, i + len(form), forms[form]))
                i += len(form)
                break
        else:
            i += 1
    return hits


# -- skip, any ----------------------------------------------------------------------------------------

SKIP_WORDS = ("跳过", "没有", "没了", "无", "不用", "不写", "算了", "没什么", "就这样")
ANY_WORDS = ("不限", "都可以", "都行", "随便", "无所谓", "哪里都", "哪个区都", "都好", "哪种都")


def is_skip(text: str) -> bool:
    """Whether an answer to an optional question declines it: "跳过", "没有", "不用了" …"""
    compacted = compact(text)
    return compacted in SKIP_WORDS or any(compacted.startswith(w) for w in ("跳过", "不用了", "没有了"))


def says_any(text: str) -> bool:
    """Whether the answer leaves the choice open: "都可以", "不限", "随便" …"""
    compacted = compact(text)
    return any(w in compacted for w in ANY_WORDS)


# -- ordinals, scores, names -----------------------------------------------------------------------

_ORDINAL_FILLER = re.compile(r"[第个号项位吧的啊呀哈选择要就那这我个是。，,.!！\s]|时间|时段|老师|专家")
_ONE_TO_NINE = {ch: n for ch, n in CN_DIGITS.items() if n > 0}


def parse_ordinal(text: str, count: int) -> int | None:
    """1-based choice among `count` from "1", "第二个", "选3", "最后一个"; None when it is not a choice."""
    compacted = compact(text)
    if not compacted or compacted.startswith("/"):
        return None
    if compacted in ("最后一个", "最后那个", "最后"):
        return count if count else None
    rest = _ORDINAL_FILLER.sub("", compacted)
    if rest.isdigit() and len(rest) == 1:
        number = int(rest)
    elif rest in _ONE_TO_NINE:
        number = _ONE_TO_NINE[rest]
    else:
        return None
    return number if 1 <= number <= count else None


def parse_score(text: str) -> int | None:
    """A rating from 1 to 5: "5", "五分", "满分", "非常满意"; None otherwise."""
    compacted = compact(text)
    if any(w in compacted for w in ("满分", "五星", "非常满意")):
        return 5
    digits = re.findall(r"\d+", compacted)
    if len(digits) == 1 and digits[0] in {"1", "2", "3", "4", "5"}:
        return int(digits[0])
    numerals = [c for c in compacted if c in _ONE_TO_NINE]
    if len(numerals) == 1 and 1 <= _ONE_TO_NINE[numerals[0]] <= 5 and len(compacted) <= 4:
        return _ONE_TO_NINE[numerals[0]]
    return None


_NAME_PREFIXES = (
    "我的名字是",
    "我的名字叫",
    "名字是",
    "名字叫",
    "姓名是",
    "姓名",
    "称呼我",
    "就叫我",
    "叫我",
    "我叫",
    "我是",
    "免贵",
)
_QUESTION_MARKS = ("?", "？", "吗", "呢", "怎么", "什么", "多少", "哪")


def parse_name(text: str) -> str | None:
    """The name in "我叫王明" / "王先生"; None for questions, digits or more than 20 characters."""
    name = compact(text).strip("。.,，!！~")
    for prefix in _NAME_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix) :]
            break
    if not 1 <= len(name) <= 20 or any(ch.isdigit() for ch in name):
        return None
    if any(mark in name for mark in _QUESTION_MARKS) or name.startswith("/"):
        return None
    return name
