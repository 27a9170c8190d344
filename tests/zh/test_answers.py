"""zh.answers: yes/no, corrections, negation, skip, "any", ordinals, scores and names."""

from __future__ import annotations

import pytest

from zh.answers import (
    find_terms,
    is_skip,
    negated,
    parse_name,
    parse_ordinal,
    parse_score,
    parse_yes_no,
    says_any,
    says_no,
    says_unknown,
    split_correction,
    yes_no,
)


@pytest.mark.parametrize(
    ("text", "answer"),
    [("是", True), ("对的", True), ("嗯嗯", True), ("有的", True), ("已经办好了", True), ("没问题", True),
     ("不错", True), ("ok", True), ("👍", True), ("不是", False), ("没有", False), ("尚未", False), ("no", False),
     ("❌", False), ("啊啊啊", None), ("nothing", None)],
)  # fmt: skip
def test_yes_no_to_a_fact_question(text: str, answer: bool | None) -> None:
    assert yes_no(text) is answer


def test_says_no() -> None:
    assert says_no("不在上海") and not says_no("在浦东")


@pytest.mark.parametrize(
    ("text", "hint", "answer"),
    [("确认", None, "yes"), ("好的，提交吧", None, "yes"), ("ＯＫ", None, "yes"), ("没错", None, "yes"),
     ("不对", None, "no"), ("修改一下电话", None, "no"), ("有误", None, "no"), ("错了", None, "no"),
     ("嗯", "no", "no"), ("稍等", "yes", "yes"), ("稍等", None, None), ("我再想想", None, None)],
)  # fmt: skip
def test_parse_yes_no_to_a_confirmation(text: str, hint: str | None, answer: str | None) -> None:
    assert parse_yes_no(text, hint) == answer  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "before", "after"),
    [("2023年3月,不对,4月", "2023年3月,", "4月"), ("不是25岁,是26", "不是25岁,是", "26"), ("说错了,应该是2022年8月", "说错了,", "2022年8月"),
     ("35岁", "", "35岁"), ("不对", "", "不对")],
)  # fmt: skip
def test_split_correction(text: str, before: str, after: str) -> None:
    assert split_correction(text) == (before, after)


def test_unknown_and_negation() -> None:
    assert says_unknown("不记得了") and not says_unknown("记得")
    assert says_unknown("这个我也说不准") and says_unknown("没印象了") and not says_unknown("有印象")
    assert negated("我不是退役军人", 3) and not negated("我是退役军人", 2)


def test_find_terms_longest_first_without_overlap() -> None:
    forms = {"大学生": "college", "青年大学生": "youth", "海归": "overseas"}
    assert find_terms("我是青年大学生,也是海归", forms) == [(2, 7, "youth"), (10, 12, "overseas")]


@pytest.mark.parametrize(
    ("text", "count", "number"),
    [("1", 3, 1), ("２", 3, 2), ("第二个", 3, 2), ("选3", 3, 3), ("就第一个吧", 3, 1), ("最后一个", 4, 4),
     ("第三个老师", 3, 3), ("4", 3, None), ("0", 3, None), ("12", 20, None), ("/choose", 3, None), ("", 3, None),
     ("最后", 0, None), ("随便", 3, None)],
)  # fmt: skip
def test_parse_ordinal(text: str, count: int, number: int | None) -> None:
    assert parse_ordinal(text, count) == number


@pytest.mark.parametrize(
    ("text", "score"),
    [("5", 5), ("５分", 5), ("满分", 5), ("非常满意", 5), ("四星", 4), ("3分吧", 3), ("6", None), ("10分", None),
     ("一般般吧还行", None), ("", None)],
)  # fmt: skip
def test_parse_score(text: str, score: int | None) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize(
    ("text", "name"),
    [("王明", "王明"), ("我叫王明", "王明"), ("免贵姓李", "姓李"), ("叫我 小张。", "小张"), ("王先生", "王先生"),
     ("我是谁?", None), ("13800138000", None), ("/stop", None), ("", None), ("很长" * 11, None)],
)  # fmt: skip
def test_parse_name(text: str, name: str | None) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize(
    ("text", "skip"),
    [("跳过", True), ("没有", True), ("不用了谢谢", True), ("没有了", True), ("很好", False)],
)
def test_is_skip(text: str, skip: bool) -> None:
    assert is_skip(text) is skip


@pytest.mark.parametrize(
    ("text", "any_"), [("都可以", True), ("不限区域", True), ("随 便", True), ("浦东", False)]
)
def test_says_any(text: str, any_: bool) -> None:
    assert says_any(text) is any_
