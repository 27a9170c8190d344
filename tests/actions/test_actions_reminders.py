"""Reminder actions on tracker fixtures: a tracker in, the exact messages out, the stored reminder checked."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta

from actions.reminders import ActionCancelReminders, ActionListReminders, ActionRemindDeadline
from consultations.identity import wechat_user
from policies_kb.deadlines import Deadline, deadline_fields
from policies_kb.model import Leaf
from policies_kb.render.changes import deadline_line
from policies_kb.render.lines import chinese_date
from reminders import DEADLINE, POLICY, shared_reminders
from reminders.planning import deadline_send_days
from tests.actions.conftest import REFERENCE_DATE, domain_text, make_tracker, responses, run_action, spoken

ON = date.fromisoformat(REFERENCE_DATE)
FIRST_BUSINESS = "first_business_subsidy"


@pytest.fixture(autouse=True)
def reminders_service(actions_database_url: str) -> Iterator[None]:
    shared_reminders.cache_clear()
    yield
    shared_reminders.cache_clear()


def months_to_apply(kb) -> int:
    for rule in kb.get(FIRST_BUSINESS).eligibility:
        if (
            isinstance(rule.check, Leaf)
            and rule.check.op == "within_months_before"
            and rule.check.ref is None
        ):
            return rule.check.value
    raise AssertionError("首次创业补贴 has no deadline rule")


def test_a_reminder_for_a_date_bound_policy_is_set_from_the_stored_registration_date(kb) -> None:
    registered = ON - relativedelta(months=3)
    tracker = make_tracker(
        "到时候提醒我申请",
        intent="remind_deadline",
        entities=[("policy", FIRST_BUSINESS)],
        slots={"profile": {"registration_date": registered.isoformat()}},
        sender_id=wechat_user("o_remind1"),
    )

    events, messages = run_action(ActionRemindDeadline(), tracker)

    assert events == []
    [sub] = shared_reminders().subscriptions(wechat_user("o_remind1"))
    due = registered + relativedelta(months=months_to_apply(kb))
    assert (sub.kind, sub.policy_id, sub.due_on, sub.channel) == (DEADLINE, FIRST_BUSINESS, due, "wechat")
    days = "、".join(chinese_date(day) for _, day in deadline_send_days(due, ON))
    assert responses(messages)[0][0] == "utter_reminder_set"
    assert spoken(messages) == [
        domain_text(
            "utter_reminder_set",
            deadline=deadline_line(Deadline(FIRST_BUSINESS, "", "", due, "", ()), kb.catalogue),
            dates=days,
            where=domain_text("utter_reminder_where_wechat"),
        )
    ]


def test_the_date_can_come_with_the_request(kb) -> None:
    tracker = make_tracker(
        "公司是今年8月注册的，到时候提醒我", intent="remind_deadline", entities=[("policy", FIRST_BUSINESS)]
    )

    run_action(ActionRemindDeadline(), tracker)

    [sub] = shared_reminders().subscriptions(tracker.sender_id)
    assert sub.due_on == date(ON.year, 8, 1) + relativedelta(months=months_to_apply(kb))
    assert sub.channel == "rest"


def test_without_the_date_the_user_is_asked_for_it_and_nothing_is_stored(kb) -> None:
    tracker = make_tracker("提醒我", intent="remind_deadline", entities=[("policy", FIRST_BUSINESS)])

    events, messages = run_action(ActionRemindDeadline(), tracker)

    assert events == [] and shared_reminders().subscriptions(tracker.sender_id) == []
    [field] = deadline_fields(kb.get(FIRST_BUSINESS))
    from policies_kb.profile import FIELD_LABELS

    assert responses(messages) == [
        (
            "utter_reminder_need_date",
            {"field_label": FIELD_LABELS[field], "policy_name": kb.get(FIRST_BUSINESS).name},
        )
    ]


def test_a_deadline_already_past_is_said_and_not_stored(kb) -> None:
    long_ago = ON - relativedelta(months=months_to_apply(kb) + 2)
    tracker = make_tracker(
        "提醒我",
        intent="remind_deadline",
        entities=[("policy", FIRST_BUSINESS)],
        slots={"profile": {"registration_date": long_ago.isoformat()}},
    )

    _, messages = run_action(ActionRemindDeadline(), tracker)

    assert [name for name, _ in responses(messages)] == ["utter_reminder_past_deadline"]
    assert shared_reminders().subscriptions(tracker.sender_id) == []


def test_a_policy_without_a_date_bound_deadline_is_followed_for_changes(kb) -> None:
    undated = next(p for p in kb.all() if not deadline_fields(p) and p.is_current)
    tracker = make_tracker("有变化通知我", intent="remind_deadline", entities=[("policy", undated.id)])

    _, messages = run_action(ActionRemindDeadline(), tracker)

    [sub] = shared_reminders().subscriptions(tracker.sender_id)
    assert (sub.kind, sub.policy_id) == (POLICY, undated.id)
    assert spoken(messages) == [
        domain_text(
            "utter_reminder_following",
            policy_name=undated.name,
            where=domain_text("utter_reminder_where_chat"),
        )
    ]


def test_no_policy_named_asks_which_one() -> None:
    tracker = make_tracker("提醒我一下", intent="remind_deadline")
    _, messages = run_action(ActionRemindDeadline(), tracker)
    assert responses(messages) == [("utter_reminder_which_policy", {})]


def test_listing_and_cancelling(kb) -> None:
    sender = wechat_user("o_list")
    registered = ON - relativedelta(months=1)
    run_action(
        ActionRemindDeadline(),
        make_tracker(
            "提醒我",
            intent="remind_deadline",
            entities=[("policy", FIRST_BUSINESS)],
            slots={"profile": {"registration_date": registered.isoformat()}},
            sender_id=sender,
        ),
    )
    [sub] = shared_reminders().subscriptions(sender)

    _, listed = run_action(
        ActionListReminders(), make_tracker("我的提醒", intent="my_reminders", sender_id=sender)
    )
    [(name, values)] = responses(listed)
    assert name == "utter_reminder_list"
    assert values["items"].startswith("1. ") and kb.get(FIRST_BUSINESS).name in values["items"]
    assert chinese_date(sub.due_on) in values["items"]

    _, cancelled = run_action(
        ActionCancelReminders(), make_tracker("取消提醒", intent="cancel_reminders", sender_id=sender)
    )
    assert responses(cancelled) == [("utter_reminder_cancelled", {"count": 1})]
    assert shared_reminders().subscriptions(sender) == []
    assert shared_reminders().notices(sender) == []  # deleted, not only stopped

    _, again = run_action(
        ActionListReminders(), make_tracker("我的提醒", intent="my_reminders", sender_id=sender)
    )
    assert responses(again) == [("utter_reminder_none", {})]
    _, none = run_action(
        ActionCancelReminders(), make_tracker("取消提醒", intent="cancel_reminders", sender_id=sender)
    )
    assert responses(none) == [("utter_reminder_none", {})]


def test_the_service_down_gets_an_honest_reply(database_down) -> None:
    shared_reminders.cache_clear()
    _, messages = run_action(ActionListReminders(), make_tracker("我的提醒", intent="my_reminders"))
    assert responses(messages) == [
        ("utter_reminder_service_down", {"contact": domain_text("utter_human_contact")})
    ]


def test_cancelling_one_policys_reminder_keeps_the_others(kb) -> None:
    sender = wechat_user("o_two")
    undated = [p for p in kb.all() if not deadline_fields(p) and p.is_current][:2]
    for policy in undated:
        shared_reminders().follow_policy(sender, "wechat", policy.id)

    _, messages = run_action(
        ActionCancelReminders(),
        make_tracker(
            "取消这个提醒", intent="cancel_reminders", entities=[("policy", undated[0].id)], sender_id=sender
        ),
    )

    assert responses(messages) == [("utter_reminder_cancelled", {"count": 1})]
    assert [s.policy_id for s in shared_reminders().subscriptions(sender)] == [undated[1].id]
