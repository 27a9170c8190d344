"""Reminders in chat: "提醒我申请首次创业补贴", "我的提醒", "取消提醒" (over the reminders package).

Only what a reminder needs is stored: the policy, the due date computed from the user's date, the
channel address, and the moment the user asked for it (their consent). A policy without a
date-bound deadline is followed instead: its changes are notified.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import booking_common
from actions.eligibility import merge, stored_profile
from actions.knowledge import knowledge_base, today
from actions.policy_answers import latest_entity_values
from actions.responses import human_contact, text_of
from consultations import Booking
from consultations.identity import WEB_PREFIX, WECHAT_PREFIX
from consultations.model import SHANGHAI
from policies_kb import ProfileError
from policies_kb.deadlines import application_deadlines, deadline_fields
from policies_kb.profile import FIELD_LABELS
from policies_kb.profile_text import extract_profile
from policies_kb.render.changes import deadline_line
from policies_kb.render.lines import chinese_date
from reminders import DEADLINE, shared_reminders
from reminders.planning import deadline_send_days

log = logging.getLogger(__name__)


def channel_of(sender_id: str) -> str:
    """Where a notice goes: WeChat pushes it, the widget shows it when opened, REST keeps it."""
    if sender_id.startswith(WECHAT_PREFIX):
        return "wechat"
    return "web" if sender_id.startswith(WEB_PREFIX) else "rest"


async def remind_of_booking(user_id: str, booking: Booking) -> bool:
    """Plan the reminders of a booking (day before, hour before, rating); False if none could be."""
    try:
        sub = await asyncio.to_thread(
            # The booking service's clock (tests and demos move it) decides which are still ahead.
            lambda: shared_reminders().subscribe_booking(
                user_id, channel_of(user_id), booking, booking_common.now()
            )
        )
    except Exception:  # noqa: BLE001 - the booking stands; only its reminders are missing
        log.exception("booking reminders not planned")
        return False
    return sub.next_send_at is not None


async def forget_booking_reminders(user_id: str, code: str) -> None:
    try:
        await asyncio.to_thread(lambda: shared_reminders().unsubscribe(user_id, booking_code=code))
    except Exception:  # noqa: BLE001 - a reminder of a cancelled booking is skipped by its status
        log.exception("booking reminders not cancelled")


def _where(domain: dict[str, Any], channel: str) -> str:
    return text_of(
        domain, "utter_reminder_where_wechat" if channel == "wechat" else "utter_reminder_where_chat"
    )


def _service_down(dispatcher: CollectingDispatcher, domain: dict[str, Any]) -> list:
    log.exception("reminder service failed")
    dispatcher.utter_message(response="utter_reminder_service_down", contact=human_contact(domain))
    return []


class ActionRemindDeadline(Action):
    def name(self) -> str:
        return "action_remind_deadline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        try:
            kb, on = knowledge_base(), today()
        except Exception:  # noqa: BLE001
            return _service_down(dispatcher, domain)
        named = [p for p in latest_entity_values(tracker, "policy") if p in kb.catalogue.policies]
        policy_id = named[0] if named else tracker.get_slot("policy")
        if policy_id not in kb.catalogue.policies:
            dispatcher.utter_message(response="utter_reminder_which_policy")
            return []
        policy = kb.get(policy_id)
        sender, channel = tracker.sender_id, channel_of(tracker.sender_id)
        fields = deadline_fields(policy)
        try:
            if not fields:
                shared_reminders().follow_policy(sender, channel, policy.id)
                dispatcher.utter_message(
                    response="utter_reminder_following",
                    policy_name=policy.name,
                    where=_where(domain, channel),
                )
                return []
            facts = merge(
                stored_profile(tracker), extract_profile(tracker.latest_message.get("text") or "", on)
            )
            try:
                profile = kb.profile({k: v for k, v in facts.items() if not k.startswith("_")})
            except ProfileError:
                profile = kb.profile({})
            deadlines = application_deadlines(policy, profile, on)
            if not deadlines:
                dispatcher.utter_message(
                    response="utter_reminder_need_date",
                    field_label="、".join(FIELD_LABELS[f] for f in fields),
                    policy_name=policy.name,
                )
                return []
            deadline = deadlines[0]
            if deadline.due_on < on:
                dispatcher.utter_message(
                    response="utter_reminder_past_deadline",
                    policy_name=policy.name,
                    due=chinese_date(deadline.due_on),
                    contact=human_contact(domain),
                )
                return []
            shared_reminders().subscribe_deadline(sender, channel, deadline, kb.catalogue)
        except Exception:  # noqa: BLE001 - the user must get an answer, never a crash
            return _service_down(dispatcher, domain)
        days = [chinese_date(day) for _, day in deadline_send_days(deadline.due_on, on)]
        dispatcher.utter_message(
            response="utter_reminder_set",
            deadline=deadline_line(deadline, kb.catalogue),
            dates="、".join(days) or chinese_date(deadline.due_on),
            where=_where(domain, channel),
        )
        return []


class ActionListReminders(Action):
    def name(self) -> str:
        return "action_list_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        try:
            kb = knowledge_base()
            subscriptions = shared_reminders().subscriptions(tracker.sender_id)
        except Exception:  # noqa: BLE001
            return _service_down(dispatcher, domain)
        if not subscriptions:
            dispatcher.utter_message(response="utter_reminder_none")
            return []
        lines = []
        for i, sub in enumerate(subscriptions, 1):
            policy = kb.catalogue.policies.get(sub.policy_id or "")
            name = policy.name if policy else sub.policy_id or ""
            upcoming = (
                chinese_date(sub.next_send_at.astimezone(SHANGHAI).date())
                if sub.next_send_at
                else text_of(domain, "utter_reminder_all_sent")
            )
            if sub.kind == DEADLINE and sub.due_on:
                item = text_of(
                    domain,
                    "utter_reminder_item_deadline",
                    policy_name=name,
                    due=chinese_date(sub.due_on),
                    next=upcoming,
                )
            elif sub.booking_code:
                item = text_of(domain, "utter_reminder_item_booking", code=sub.booking_code, next=upcoming)
            else:
                item = text_of(domain, "utter_reminder_item_policy", policy_name=name)
            lines.append(f"{i}. {item}")
        dispatcher.utter_message(response="utter_reminder_list", items="\n".join(lines))
        return []


class ActionCancelReminders(Action):
    def name(self) -> str:
        return "action_cancel_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        named = latest_entity_values(tracker, "policy")
        try:
            if named:  # one policy's reminders end; the others stay
                count = shared_reminders().unsubscribe(tracker.sender_id, policy_id=named[0])
            else:  # "取消提醒" / "删除我的提醒": nothing of them is kept
                count = len(shared_reminders().subscriptions(tracker.sender_id))
                shared_reminders().delete_user_data(tracker.sender_id)
        except Exception:  # noqa: BLE001
            return _service_down(dispatcher, domain)
        if count == 0:
            dispatcher.utter_message(response="utter_reminder_none")
        else:
            dispatcher.utter_message(response="utter_reminder_cancelled", count=count)
        return []
