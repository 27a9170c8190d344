"""Booking a consultation with the 创业指导专家志愿团, in Chinese, against the real servers.

The consultation service reads the system clock (no environment hook), so the slots a test books
or expects are looked up from the service at run time. A booking "in the past" for rating is made
through the service API with a FixedClock a week back.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

import pytest

from consultations import BookingNotFoundError, BookingService, FixedClock, ServiceForm, Slot, open_service
from consultations.identity import wechat_user
from consultations.model import SHANGHAI, WEEKDAY_NAMES
from tests.channels.wechat_harness import OPENID
from tests.channels.wechat_harness import wechat_text as wechat

pytestmark = pytest.mark.rasa_server

PHONE = "13800138000"


def new_user() -> str:
    return f"e2e-booking-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def service(assistant) -> Iterator[BookingService]:
    booking_service = open_service(assistant.env["DATABASE_URL"])
    yield booking_service
    booking_service.engine.dispose()


def texts(replies: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in replies)


def buttons(replies: list[dict]) -> list[dict]:
    return [b for m in replies for b in m.get("buttons") or []]


def later_slot(service: BookingService, *, hours: float = 26, exclude: tuple[str, ...] = ()) -> Slot:
    """A free slot starting more than `hours` from now, so it can still be cancelled or moved."""
    edge = datetime.now(timezone.utc) + timedelta(hours=hours)
    for expert in service.catalogue.experts:
        if expert.id in exclude:
            continue
        for slot in service.expert_slots(expert.id):
            if slot.start_at > edge:
                return slot
    pytest.fail("no free slot more than a day ahead in the sample catalogue")


def book_directly(service: BookingService, user: str, slot: Slot, name: str = "李女士") -> str:
    booking = service.book(
        user_id=user,
        slot_id=slot.id,
        name=name,
        phone=PHONE,
        topic="融资",
        stage="筹备中",
        idempotency_key=uuid.uuid4().hex,
    )
    return booking.code


def start_online_equity_booking(assistant, user: str) -> list[dict]:
    """Topic from the first message, then stage and form; returns the turn with the offers."""
    first = texts(assistant.say(user, "我想找个懂股权的专家聊聊"))
    assert "股权" in first
    assert "创业进行到哪一步" in first
    assert "希望怎么咨询" in assistant.say_text(user, "筹备中")
    return assistant.say(user, "网上")


def reach_phone_question(assistant, user: str) -> list[dict]:
    offers = start_online_equity_booking(assistant, user)
    assert "怎么称呼" in assistant.say_text(user, "1")
    reply = assistant.say_text(user, "张先生")
    assert "手机号" in reply
    return offers


def test_book_end_to_end(assistant, service: BookingService) -> None:
    user = new_user()
    offers = start_online_equity_booking(assistant, user)
    offer_text = texts(offers)
    assert "示例" in offer_text  # sample experts are said to be samples
    choices = buttons(offers)
    assert 1 <= len(choices) <= 3
    assert [b["payload"] for b in choices] == [str(i) for i in range(1, len(choices) + 1)]
    # The offers are the service's own experts and free online slots, nothing made up.
    expected = service.find_experts("股权", "online")
    first_expert = next(m for m in expected if m.next_slots).expert
    assert first_expert.display_name in choices[0]["title"]
    assert "网上" in choices[0]["title"]

    assert "怎么称呼" in assistant.say_text(user, "1")
    assert "手机号" in assistant.say_text(user, "张先生")
    summary = assistant.say_text(user, "138 0013 8000")
    assert "138****8000" in summary
    assert PHONE not in summary
    assert "张先生" in summary and "股权" in summary and "筹备中" in summary

    done = assistant.say_text(user, "确认")
    assert "预约成功" in done
    bookings = service.bookings(user)
    assert len(bookings) == 1
    booking = bookings[0]
    assert booking.code in done
    assert booking.phone == PHONE and booking.name == "张先生"
    assert booking.topic == "股权" and booking.stage == "筹备中"
    assert booking.slot.form is ServiceForm.ONLINE
    assert booking.expert_id == first_expert.id
    assert booking.prepare in done
    assert "24 小时" in done and "免费" in done
    assert PHONE not in done
    # The booking keeps the name and number; the stored conversation no longer does.
    stored = assistant.stored_conversation(user)
    assert PHONE not in stored and "张先生" not in stored
    assert "138****8000" in stored and "张**" in stored
    # ... and the conversation goes on from there.
    assert booking.code in assistant.say_text(user, "我的预约")


def test_typed_phone_is_masked_in_the_stored_conversation_while_booking(assistant) -> None:
    user = new_user()
    reach_phone_question(assistant, user)
    assistant.say_text(user, "我的手机是 139-1234-5678")
    stored = assistant.stored_conversation(user)
    assert "139-1234-5678" not in stored  # the message as typed
    assert '"value": "13912345678"' in stored  # the slot the confirmation still needs
    assert "没有提交" in assistant.say_text(user, "不约了")  # at the read-back: not submitted
    stored = assistant.stored_conversation(user)
    assert "13912345678" not in stored and "张先生" not in stored


def test_invalid_phone_is_asked_again_with_an_explanation(assistant, service: BookingService) -> None:
    user = new_user()
    reach_phone_question(assistant, user)
    reply = assistant.say_text(user, "12345")
    assert "11 位大陆手机号" in reply
    assert "手机号" in reply
    summary = assistant.say_text(user, "我的手机是 139-1234-5678")
    assert "139****5678" in summary
    assert "确认" in summary
    assert service.bookings(user) == []


def test_the_same_confirmation_twice_books_once(assistant, service: BookingService) -> None:
    user = new_user()
    reach_phone_question(assistant, user)
    assistant.say_text(user, PHONE)
    first = assistant.say_text(user, "确认")
    assert "预约成功" in first
    again = assistant.say_text(user, "确认")
    code = service.bookings(user)[0].code
    assert code in first and code in again
    assert "不会重复预约" in again
    assert len(service.bookings(user, include_past=True, include_cancelled=True)) == 1


def test_my_bookings_lists_them_with_masked_phone(assistant, service: BookingService) -> None:
    user = new_user()
    code = book_directly(service, user, later_slot(service))
    reply = assistant.say_text(user, "我的预约")
    assert code in reply
    assert "138****8000" in reply
    assert PHONE not in reply
    assert "没有进行中的预约" in assistant.say_text(new_user(), "我的预约")


def test_cancel_by_code(assistant, service: BookingService) -> None:
    user = new_user()
    code = book_directly(service, user, later_slot(service))
    reply = assistant.say_text(user, f"取消预约 {code}")
    assert "已取消" in reply and code in reply
    assert service.bookings(user) == []
    assert "没有找到这条预约" in assistant.say_text(user, "取消预约 ABC123")


def test_cancel_my_booking_asks_first(assistant, service: BookingService) -> None:
    user = new_user()
    code = book_directly(service, user, later_slot(service))
    question = assistant.say(user, "取消我的预约")
    assert code in texts(question)
    assert "确定要取消" in texts(question)
    assert service.bookings(user)[0].code == code  # nothing cancelled yet
    assert "已取消" in assistant.say_text(user, "是的")
    assert service.bookings(user) == []


def past_booking(service: BookingService, user: str) -> tuple[str, str]:
    """Book, with a clock a week back, a slot that has already ended by now: (code, expert id)."""
    real_now = datetime.now(timezone.utc)
    clock = FixedClock(real_now - timedelta(days=7))
    past = BookingService(service.engine, service.catalogue, clock)
    past.refresh()  # slots of the last week exist only if someone generated them then
    for expert in past.catalogue.experts:
        for slot in past.expert_slots(expert.id):
            if slot.end_at < real_now - timedelta(hours=1):
                return book_directly(past, user, slot), expert.id
    pytest.fail("no slot in the last week of the sample catalogue")


def test_cancel_too_late_is_explained(assistant, service: BookingService) -> None:
    user = new_user()
    code, _ = past_booking(service, user)
    reply = assistant.say_text(user, f"取消预约 {code}")
    assert "不足 24 小时" in reply
    assert "12333" in reply


def test_reschedule_to_next_week(assistant, service: BookingService) -> None:
    user = new_user()
    # An expert with several free slots next week, booked on the first of them.
    today = datetime.now(SHANGHAI).date()
    next_monday = today + timedelta(days=7 - today.weekday())
    edge = datetime.now(timezone.utc) + timedelta(hours=26)
    for expert in service.catalogue.experts:
        free = [s for s in service.expert_slots(expert.id) if s.start_at > edge]
        in_next_week = [
            s for s in free if next_monday <= s.local_start.date() < next_monday + timedelta(days=7)
        ]
        if len(in_next_week) >= 2:
            break
    else:
        pytest.fail("no expert with two free slots next week")
    original = in_next_week[0]
    code = book_directly(service, user, original)

    offers = assistant.say(user, "改到下周")
    choices = buttons(offers)
    assert choices, texts(offers)
    for choice in choices:  # every offered slot is next week, of the same expert
        assert expert.display_name in choice["title"]
    expected_first = next(
        s
        for s in service.expert_slots(expert.id)
        if s.id != original.id and next_monday <= s.local_start.date() < next_monday + timedelta(days=7)
    )
    done = assistant.say_text(user, "1")
    assert "改约成功" in done and code in done
    moved = service.get_booking(user, code)
    assert moved.slot.id == expected_first.id
    assert moved.slot.id != original.id


def test_rate_a_past_consultation(assistant, service: BookingService) -> None:
    user = new_user()
    code, expert_id = past_booking(service, user)
    before = service.service_record(expert_id).rating_count
    question = assistant.say(user, "给专家打分")
    assert "打分" in texts(question)
    assert {b["payload"] for b in buttons(question)} == {"1", "2", "3", "4", "5"}
    assert "评价" in assistant.say_text(user, "5")
    thanks = assistant.say_text(user, "讲得很清楚，电话13800138000")
    assert "感谢您的评价" in thanks
    record = service.service_record(expert_id)
    assert record.rating_count == before + 1
    assert all(PHONE not in c for c in record.recent_comments)
    # A second rating of the same consultation is refused by the service, in its own words.
    assistant.say_text(user, f"评价 {code}")
    assistant.say_text(user, "4")
    assert "已经评价过" in assistant.say_text(user, "跳过")
    assert service.service_record(expert_id).rating_count == before + 1


def test_rating_before_the_consultation_is_explained(assistant, service: BookingService) -> None:
    user = new_user()
    book_directly(service, user, later_slot(service))
    assert "咨询结束后才能评价" in assistant.say_text(user, "评价一下")


def test_no_free_slot_is_said_honestly_with_alternatives(assistant, service: BookingService) -> None:
    # 人力资源 + 上门 is only offered by E06 in the sample catalogue: take all its on-site slots.
    for index, slot in enumerate(s for s in service.expert_slots("E06") if s.form is ServiceForm.ON_SITE):
        book_directly(service, f"e2e-filler-{uuid.uuid4().hex[:6]}-{index}", slot)
    user = new_user()
    assistant.say_text(user, "我想约人力资源方面的专家")
    assistant.say_text(user, "已注册运营")
    assert "哪个区" in assistant.say_text(user, "上门")
    full = assistant.say(user, "不限")
    text = texts(full)
    assert "约满" in text
    assert "12333" in text and "就业促进中心" in text
    assert "改成网上咨询" in [b["title"] for b in buttons(full)]
    assert buttons(full)[-1]["payload"] == "/stop_form"
    # Nobody gives online HR sessions either: said so, no expert invented.
    online = assistant.say_text(user, "改成网上咨询")
    assert "没有提供网上咨询的「人力资源」方向专家" in online
    assert "示例专家·" not in online
    assert "已停止本次预约" in assistant.say_text(user, "不约了")
    assert service.bookings(user) == []


def test_topic_without_an_expert(assistant) -> None:
    user = new_user()
    question = assistant.say(user, "预约专家")
    assert "哪个方向" in texts(question)
    assert "股权" in [b["title"] for b in buttons(question)]
    reply = assistant.say_text(user, "区块链")
    assert "暂时没有这个方向的专家" in reply
    assert "12333" in reply
    assert "哪个方向" in reply  # asked again


def test_no_expert_in_the_district(assistant) -> None:
    user = new_user()
    assistant.say_text(user, "我想约崇明的股权专家门诊")
    reply = assistant.say(user, "想法阶段")
    text = texts(reply)
    assert "没有崇明区提供门诊咨询的「股权」方向专家" in text
    titles = [b["title"] for b in buttons(reply)]
    assert "改成网上咨询" in titles and "不限区域" in titles
    # Any district: now there are experts.
    offers = assistant.say(user, "不限区域")
    assert buttons(offers) and all("门诊" in b["title"] for b in buttons(offers))


def test_policy_question_in_the_middle_then_back(assistant) -> None:
    user = new_user()
    assistant.say_text(user, "预约专家")
    assert "创业进行到哪一步" in assistant.say_text(user, "股权")
    answer = assistant.say_text(user, "创业担保贷款有哪几种？")
    assert "创业前" in answer
    assert "创业进行到哪一步" in answer  # back to the booking question
    assert "希望怎么咨询" in assistant.say_text(user, "还在筹备")
    assert "已停止本次预约" in assistant.say_text(user, "不约了")


def test_delete_my_booking_data(assistant, service: BookingService) -> None:
    user = new_user()
    code = book_directly(service, user, later_slot(service))
    assert "确定删除" in assistant.say_text(user, "删除我的预约信息")
    assert service.bookings(user)  # not before the user confirms
    reply = assistant.say_text(user, "确认")
    assert "已删除" in reply and "聊天内容" in reply
    assert service.bookings(user, include_cancelled=True) == []
    with pytest.raises(BookingNotFoundError):  # the code no longer belongs to anybody
        service.get_booking(user, code)
    stored = assistant.stored_conversation(user)
    assert "删除我的预约信息" not in stored and "[已删除]" in stored
    # The conversation itself goes on.
    assert "海纳百创" in assistant.say_text(user, "你好")


def test_slot_taken_before_confirmation_offers_others(assistant, service: BookingService) -> None:
    user = new_user()
    offers = reach_phone_question(assistant, user)
    summary = assistant.say_text(user, PHONE)
    assert "确认" in summary
    # Someone else takes the chosen slot (capacity 1) while the user reads the summary.
    chosen = service.find_experts("股权", "online")
    slot = next(m for m in chosen if m.next_slots).next_slots[0]
    assert buttons(offers)
    book_directly(service, f"e2e-other-{uuid.uuid4().hex[:8]}", slot)
    reply = assistant.say(user, "确认")
    text = texts(reply)
    assert "刚刚约满" in text
    assert "请重新选择" in text
    assert buttons(reply)  # fresh offers, without the taken slot
    start = slot.local_start
    taken = f"{start.month}月{start.day}日 {WEEKDAY_NAMES[start.weekday()]} {start:%H:%M}"
    expert = service.expert(slot.expert_id).display_name
    assert not [b for b in buttons(reply) if taken in b["title"] and expert in b["title"]]
    assert service.bookings(user) == []


def test_booking_over_wechat_with_numbers_and_a_retried_confirmation(
    assistant, service: BookingService
) -> None:
    openid = OPENID + "bk" + uuid.uuid4().hex[:6]
    topics = wechat(assistant, openid, "预约专家")
    assert "4. 股权" in topics  # buttons become a numbered list
    assert "创业进行到哪一步" in wechat(assistant, openid, "4")
    assert "希望怎么咨询" in wechat(assistant, openid, "2")  # 筹备中
    offers = wechat(assistant, openid, "1")  # 网上
    assert "1. 示例专家·" in offers
    assert "怎么称呼" in wechat(assistant, openid, "1")
    assert "手机号" in wechat(assistant, openid, "王先生")
    summary = wechat(assistant, openid, "13800138000")
    assert "138****8000" in summary and "1. 确认" in summary
    confirmation = random.randint(10**15, 10**16)
    booked = wechat(assistant, openid, "1", msg_id=confirmation)
    assert "预约成功" in booked
    # WeChat retries the same message, then the user taps 确认 once more: still one booking.
    assert wechat(assistant, openid, "1", msg_id=confirmation) == booked
    again = wechat(assistant, openid, "确认")
    code = service.bookings(wechat_user(openid))[0].code
    assert code in booked and code in again
    assert len(service.bookings(wechat_user(openid), include_past=True, include_cancelled=True)) == 1
    assert service.bookings(openid, include_past=True, include_cancelled=True) == []
