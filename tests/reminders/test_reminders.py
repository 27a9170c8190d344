"""Reminders on a real database (SQLite and PostgreSQL) with an injected clock."""

from __future__ import annotations

import dataclasses
import shutil
import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from dateutil.relativedelta import relativedelta

import policies_kb
from consultations import Booking, FixedClock
from consultations.model import SHANGHAI, BookingStatus, ServiceForm, Slot
from policies_kb import load_catalogue
from policies_kb.changes import FIGURE_CHANGED, SUPERSEDED, changes_between
from policies_kb.deadlines import Deadline, application_deadlines
from policies_kb.model import Leaf
from policies_kb.profile import ApplicantProfile
from policies_kb.render import render_citation
from policies_kb.render.changes import render_change
from policies_kb.store import recorded_changes
from reminders import CANCELLED, FAILED, PENDING, SENT, DeliveryError, ReminderService, planning
from reminders.service import RETRY_BACKOFF_S
from storage import make_engine

DATA_DIR = Path(policies_kb.__file__).resolve().parent / "data"

FIRST_BUSINESS = "first_business_subsidy"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock.shanghai(2026, 9, 1, 9)


@pytest.fixture()
def service(database_url: str, clock: FixedClock):
    svc = ReminderService.open(database_url, clock)
    yield svc
    svc.engine.dispose()


def deadline_leaf(catalogue) -> tuple[str, Leaf]:
    """The rule of 首次创业补贴 that bounds the time to apply, as the data states it."""
    policy = catalogue.policies[FIRST_BUSINESS]
    for rule in policy.eligibility:
        check = rule.check
        if isinstance(check, Leaf) and check.op == "within_months_before" and check.ref is None:
            return rule.id, check
    raise AssertionError("首次创业补贴 has no application deadline rule any more")


def a_deadline(due_on: date, policy_id: str = FIRST_BUSINESS) -> Deadline:
    return Deadline(policy_id, "application_deadline", "registration_date", due_on, "测试期限", ())


# -- deadlines from the rules ------------------------------------------------------------------


def test_the_deadline_follows_the_rule_and_the_registration_date(catalogue) -> None:
    rule_id, leaf = deadline_leaf(catalogue)
    registered = date(2025, 8, 31)  # a month end: + N months lands on the last day of a shorter month
    profile = ApplicantProfile.from_dict({"registration_date": registered.isoformat()})

    deadlines = application_deadlines(catalogue.policies[FIRST_BUSINESS], profile, date(2026, 9, 1))

    due = registered + relativedelta(months=leaf.value)
    assert [(d.rule_id, d.due_on, d.counted_from) for d in deadlines] == [(rule_id, due, leaf.field)]
    assert (due + timedelta(days=1)).day == 1  # 31 August + N months is the last day of that month


def test_no_deadline_without_the_date_it_counts_from(catalogue) -> None:
    profile = ApplicantProfile.from_dict({"hukou": "shanghai"})
    assert application_deadlines(catalogue.policies[FIRST_BUSINESS], profile, date(2026, 9, 1)) == []


# -- when reminders are sent -------------------------------------------------------------------


def test_a_reminder_due_on_a_holiday_is_sent_the_working_day_before() -> None:
    # 2026-10-01..07 are the National Day holidays; Saturday 10-10 is a make-up working day.
    days = planning.deadline_send_days(date(2026, 10, 12), today=date(2026, 9, 1))
    assert days == [(30, date(2026, 9, 11)), (7, date(2026, 9, 30)), (1, date(2026, 10, 10))]


def test_lead_times_already_past_are_not_planned_and_a_shared_day_is_sent_once() -> None:
    # Both the 7-day and the 1-day reminder would move back before the Spring Festival block.
    days = planning.deadline_send_days(date(2026, 2, 24), today=date(2026, 2, 10))
    assert days == [(7, date(2026, 2, 14))]


def test_subscribing_plans_the_notices_at_ten_in_shanghai(service, catalogue) -> None:
    due = date(2026, 10, 12)
    sub = service.subscribe_deadline("wx:u1", "wechat", a_deadline(due), catalogue)

    notices = service.notices("wx:u1")
    local = [n.send_at.astimezone(SHANGHAI) for n in notices]
    assert [t.date() for t in local] == [date(2026, 9, 11), date(2026, 9, 30), date(2026, 10, 10)]
    assert {(t.hour, t.minute) for t in local} == {(10, 0)}
    assert sub.due_on == due and sub.next_send_at == notices[0].send_at
    name = catalogue.policies[FIRST_BUSINESS].name
    assert all(name in n.text and "2026年10月12日" in n.text for n in notices)
    assert "还剩12天" in notices[1].text  # counted from the day it is sent, not the day it was planned


def test_subscribing_twice_plans_nothing_more_and_a_corrected_date_replaces_the_old_plan(
    service, catalogue
) -> None:
    service.subscribe_deadline("wx:u2", "wechat", a_deadline(date(2026, 10, 12)), catalogue)
    service.subscribe_deadline("wx:u2", "wechat", a_deadline(date(2026, 10, 12)), catalogue)
    assert len(service.subscriptions("wx:u2")) == 1 and len(service.notices("wx:u2")) == 3

    service.subscribe_deadline("wx:u2", "wechat", a_deadline(date(2026, 11, 30)), catalogue)

    assert [s.due_on for s in service.subscriptions("wx:u2")] == [date(2026, 11, 30)]
    statuses = [n.status for n in service.notices("wx:u2") if "2026年10月12日" in n.text]
    assert statuses == [CANCELLED] * 3


# -- delivery ----------------------------------------------------------------------------------


def test_due_notices_are_delivered_once_and_not_before_their_time(service, catalogue, clock) -> None:
    service.subscribe_deadline("wx:u3", "wechat", a_deadline(date(2026, 10, 12)), catalogue)
    delivered = []

    assert service.dispatch_due(delivered.append, ["wechat"]).sent == 0
    clock.set_shanghai(2026, 9, 11, 10, 0)
    assert service.dispatch_due(delivered.append, ["wechat"]).sent == 1
    assert service.dispatch_due(delivered.append, ["wechat"]).sent == 0
    assert [n.send_at.astimezone(SHANGHAI).date() for n in delivered] == [date(2026, 9, 11)]
    assert [n.status for n in service.notices("wx:u3")] == [SENT, PENDING, PENDING]


def test_a_notice_for_another_channel_is_left_for_it(service, catalogue, clock) -> None:
    service.subscribe_deadline("web:u4", "web", a_deadline(date(2026, 10, 12)), catalogue)
    clock.set_shanghai(2026, 10, 12, 12)
    assert service.dispatch_due(lambda n: None, ["wechat"]).sent == 0
    assert service.dispatch_due(lambda n: None, ["web"]).sent == 3


def test_failed_deliveries_are_retried_with_backoff_then_given_up(service, catalogue, clock) -> None:
    service.subscribe_deadline(
        "wx:u5", "wechat", a_deadline(date(2026, 9, 3)), catalogue
    )  # one notice, on 09-02
    clock.set_shanghai(2026, 9, 2, 10, 0)

    def refuse(notice) -> None:
        raise DeliveryError("errcode 45047")

    for wait in RETRY_BACKOFF_S:
        report = service.dispatch_due(refuse, ["wechat"])
        assert report.retried == 1
        assert service.dispatch_due(refuse, ["wechat"]).retried == 0  # not before the back-off
        clock.advance(seconds=wait)
    assert service.dispatch_due(refuse, ["wechat"]).failed == 1
    assert [n.status for n in service.notices("wx:u5")] == [FAILED]


def test_an_error_a_retry_cannot_fix_gives_up_at_once(service, catalogue, clock) -> None:
    service.subscribe_deadline("wx:u6", "wechat", a_deadline(date(2026, 9, 3)), catalogue)
    clock.set_shanghai(2026, 9, 2, 10, 0)

    def unsubscribed(notice) -> None:
        raise DeliveryError("errcode 43004 user unsubscribed", retryable=False)

    assert service.dispatch_due(unsubscribed, ["wechat"]).failed == 1
    assert [n.status for n in service.notices("wx:u6")] == [FAILED]


def test_nothing_is_sent_after_unsubscribing_or_deleting_the_data(service, catalogue, clock) -> None:
    service.subscribe_deadline("wx:u7", "wechat", a_deadline(date(2026, 10, 12)), catalogue)
    service.subscribe_deadline("wx:u8", "wechat", a_deadline(date(2026, 10, 12)), catalogue)

    assert service.unsubscribe("wx:u7") == 1
    assert service.delete_user_data("wx:u8") == 1
    clock.set_shanghai(2026, 10, 12, 12)

    delivered = []
    service.dispatch_due(delivered.append, ["wechat"])
    assert delivered == []
    assert service.subscriptions("wx:u7") == [] and service.notices("wx:u8") == []
    assert {n.status for n in service.notices("wx:u7")} == {CANCELLED}


def test_unsubscribing_between_the_claim_and_the_delivery_skips_the_notice(service, catalogue, clock) -> None:
    service.subscribe_deadline("wx:u9", "wechat", a_deadline(date(2026, 9, 3)), catalogue)
    clock.set_shanghai(2026, 9, 2, 10, 0)
    from reminders.repository import UnitOfWork

    now = planning.naive_utc(clock())
    with UnitOfWork(service.engine, write=True) as repo:
        claimed = repo.claim_due("w1", now, now + timedelta(minutes=5), ["wechat"], 10)
    assert len(claimed) == 1
    service.unsubscribe("wx:u9")  # after the claim, before the delivery
    with UnitOfWork(service.engine) as repo:
        assert not repo.still_claimed(claimed[0].id, "w1")
    delivered = []
    assert service.dispatch_due(delivered.append, ["wechat"]).sent == 0 and delivered == []


def test_two_schedulers_racing_send_each_notice_exactly_once(service, catalogue, clock, database_url) -> None:
    for i in range(30):
        service.subscribe_deadline(f"wx:race{i}", "wechat", a_deadline(date(2026, 10, 12)), catalogue)
    clock.set_shanghai(2026, 10, 12, 12)  # all 90 notices are due
    other = ReminderService.open(database_url, clock)
    delivered: list[int] = []
    lock = threading.Lock()

    def deliver(notice) -> None:
        with lock:
            delivered.append(notice.id)

    def scheduler(svc: ReminderService, name: str) -> None:
        while svc.dispatch_due(deliver, ["wechat"], worker=name, limit=7).sent:
            pass

    threads = [threading.Thread(target=scheduler, args=(s, n)) for s, n in ((service, "a"), (other, "b"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    other.engine.dispose()

    assert len(delivered) == 90 and len(set(delivered)) == 90
    assert all(n.status == SENT for i in range(30) for n in service.notices(f"wx:race{i}"))


def test_a_crashed_schedulers_claim_expires(service, catalogue, clock) -> None:
    from reminders.repository import UnitOfWork

    service.subscribe_deadline("wx:crash", "wechat", a_deadline(date(2026, 9, 3)), catalogue)
    clock.set_shanghai(2026, 9, 2, 10, 0)
    now = planning.naive_utc(clock())
    with UnitOfWork(service.engine, write=True) as repo:
        assert len(repo.claim_due("dead", now, now + timedelta(minutes=5), ["wechat"], 10)) == 1

    assert service.dispatch_due(lambda n: None, ["wechat"]).sent == 0
    clock.advance(minutes=6)
    assert service.dispatch_due(lambda n: None, ["wechat"]).sent == 1


# -- bookings ----------------------------------------------------------------------------------


def a_booking(start: datetime, minutes: int = 60) -> Booking:
    slot = Slot(
        "s1", "e1", start, start + timedelta(minutes=minutes), ServiceForm.ONLINE, "线上", None, 1, 1, True
    )
    return Booking(
        1, "KWMX43", "wx:b1", slot, "e1", "王老师", "张三", "13912345678", "融资", "初创期",
        BookingStatus.ACTIVE, datetime(2026, 9, 1, tzinfo=timezone.utc),
    )  # fmt: skip


def test_a_booking_is_reminded_the_day_before_an_hour_before_and_asked_to_be_rated(service, clock) -> None:
    start = datetime(2026, 9, 3, 14, 0, tzinfo=SHANGHAI)
    service.subscribe_booking("wx:b1", "wechat", a_booking(start))

    local = [(n.send_at.astimezone(SHANGHAI), n.text) for n in service.notices("wx:b1")]
    assert [t for t, _ in local] == [
        datetime(2026, 9, 2, 10, 0, tzinfo=SHANGHAI),
        datetime(2026, 9, 3, 13, 0, tzinfo=SHANGHAI),
        datetime(2026, 9, 3, 15, 30, tzinfo=SHANGHAI),
    ]
    assert all("KWMX43" in text or "王老师" in text for _, text in local)
    assert "13912345678" not in " ".join(text for _, text in local) and "张三" not in " ".join(
        t for _, t in local
    )


def test_a_booking_made_late_gets_only_the_reminders_still_ahead(service, clock) -> None:
    clock.set_shanghai(2026, 9, 3, 12, 0)
    service.subscribe_booking("wx:b2", "wechat", a_booking(datetime(2026, 9, 3, 14, 0, tzinfo=SHANGHAI)))
    assert [n.key.rsplit(":", 1)[1] for n in service.notices("wx:b2")] == ["hour_before", "rate"]


# -- policy changes ----------------------------------------------------------------------------


def data_with_a_changed_figure(tmp_path: Path) -> tuple[Path, str, str]:
    """A copy of the data files in which the first published figure of 首次创业补贴 is doubled."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "policies" / f"{FIRST_BUSINESS}.yaml"
    policy = yaml.safe_load(path.read_text(encoding="utf-8"))
    fact = next(f for f in policy["facts"] if f.get("value") is not None)
    old_text = fact["text"]
    fact["value"] = fact["value"] * 2
    fact["text"] = f"{old_text}（测试：调整为{fact['value']}）"
    path.write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data, old_text, fact["text"]


def test_a_kb_update_notifies_exactly_the_subscribers_of_the_changed_policy(
    service, catalogue, clock, database_url, tmp_path
) -> None:
    policies_kb.load(database_url, progress=None)
    service.subscribe_deadline("wx:c1", "wechat", a_deadline(date(2026, 12, 1)), catalogue)
    unchanged = next(p for p in catalogue.policies if p != FIRST_BUSINESS)
    service.follow_policy("web:c2", "web", unchanged)
    before = datetime.now(timezone.utc)

    data, old_text, new_text = data_with_a_changed_figure(tmp_path)
    assert policies_kb.load(database_url, data, progress=None).changed
    clock.now = datetime.now(timezone.utc) + timedelta(days=1)
    service.follow_policy("wx:c3", "wechat", FIRST_BUSINESS)  # after the update: nothing to tell

    engine = make_engine(database_url)
    try:
        recorded = recorded_changes(engine, since=before)
    finally:
        engine.dispose()
    assert [(c.policy_id, c.kind) for c in recorded] == [(FIRST_BUSINESS, FIGURE_CHANGED)]
    assert service.notify_changes(recorded) == 1
    assert service.notify_changes(recorded) == 0  # the same update again

    texts = [n.text for n in service.notices("wx:c1") if n.key.startswith("change:")]
    assert len(texts) == 1 and old_text in texts[0] and new_text in texts[0]
    assert catalogue.policies[FIRST_BUSINESS].name in texts[0]
    fact = next(f for f in catalogue.policies[FIRST_BUSINESS].facts if f.text == old_text)
    for source_id in fact.sources:
        assert render_citation(catalogue.sources[source_id]) in texts[0]
    assert service.notices("web:c2") == [] and service.notices("wx:c3") == []


def test_loading_the_same_data_again_records_no_change(database_url) -> None:
    policies_kb.load(database_url, progress=None)
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    policies_kb.load(database_url, progress=None, force=True)
    engine = make_engine(database_url)
    try:
        assert recorded_changes(engine, since=start) == []
    finally:
        engine.dispose()


def test_an_unchanged_kb_gives_no_changes(catalogue) -> None:
    assert changes_between(catalogue, catalogue, date(2026, 9, 1)) == []


def test_a_superseded_policy_is_a_change_naming_its_successor(catalogue) -> None:
    other = next(p for p in catalogue.policies.values() if p.id != FIRST_BUSINESS and p.status == "current")
    replaced = dataclasses.replace(other, status="superseded", superseded_by=FIRST_BUSINESS)
    new = dataclasses.replace(catalogue, policies={**catalogue.policies, other.id: replaced})

    changes = changes_between(catalogue, new, date(2026, 9, 1))

    assert [(c.policy_id, c.kind) for c in changes] == [(other.id, SUPERSEDED)]
    text = render_change(changes[0], catalogue, new)
    assert other.name in text and catalogue.policies[FIRST_BUSINESS].name in text
