"""Issue #22 "Done when": validity that follows its sources, end to end, at three reference dates.

沪人社规〔2022〕8号 ends on 2026-12-31. What rests on it — the 就业困难人员灵活就业社保补贴 as a whole,
and 首次创业一次性补贴 through the 就业困难人员 path (8号 defines who counts as one) — is shown
- on 2026-12-30 as expiring soon (有效期至…，还剩…天),
- on 2027-01-01 as ended and unconfirmed (有效期已过、待确认, section 13 of the fact sheet: the document,
  its end date, the last check for a successor, 12333 and the district centre); the eligibility verdict
  is neither 符合 nor 不符合,
- on 2027-06-30, once a successor source is recorded (a fictional one, tests/fixtures/validity), back
  to normal,
through the REST channel and through the WeChat channel (safe mode; a loopback stand-in for the WeChat
API receives what does not fit in the passive reply). One assistant per date: three starts in all.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from policies_kb.catalogue import DEFAULT_DATA_DIR, load_catalogue
from policies_kb.eligibility import BASIS_LAPSED, ELIGIBLE, NOT_ELIGIBLE
from policies_kb.model import Source
from policies_kb.render import LAPSED_MARK, STATUS_LABELS
from policies_kb.validity import EXPIRY_WARNING_DAYS, inherited_end
from tests.channels.wechat_harness import FakeWeChatApi, text_xml
from tests.conftest import RunningAssistant, start_assistant
from tests.e2e.test_rest_conversation import FOUNDER_ANSWERS, field_asked
from tests.e2e.test_wechat_conversation import decrypt, push

pytestmark = pytest.mark.rasa_server

SUBSIDY = "flexible_employment_si_subsidy_hard_to_employ"  # 就业困难人员灵活就业社保补贴, rests on 8号
FIRST_BUSINESS = "first_business_subsidy"  # 首次创业一次性补贴, through the 就业困难人员 path
GROUP = "hard_to_employ"
SUCCESSOR_FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "validity" / "successor_source.yaml"

EXPIRING, ENDED, SUCCEEDED = "expiring", "ended", "succeeded"
REFERENCE_DATES = {EXPIRING: date(2026, 12, 30), ENDED: date(2027, 1, 1), SUCCEEDED: date(2027, 6, 30)}

CATALOGUE = load_catalogue()
BASIS: Source = inherited_end(CATALOGUE.policies[SUBSIDY], CATALOGUE)  # type: ignore[assignment]


def chinese_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def months_before(day: date, months: int) -> date:
    """The first of the month `months` months before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def test_reference_dates_and_data_fit_the_three_states() -> None:
    """What the other tests rely on, read from the knowledge base rather than assumed."""
    assert BASIS is not None and BASIS.valid_until is not None, "the subsidy rests on no dated document"
    assert BASIS.doc_number and BASIS.successor_checked_on
    assert BASIS.superseded_by is None, "a successor is recorded in the real data: the ended state is gone"
    assert BASIS.id in CATALOGUE.vocabulary.applicant_groups[GROUP].defined_by
    assert 0 < (BASIS.valid_until - REFERENCE_DATES[EXPIRING]).days <= EXPIRY_WARNING_DAYS
    assert REFERENCE_DATES[ENDED] > BASIS.valid_until
    assert REFERENCE_DATES[SUCCEEDED] > BASIS.valid_until


# --- the knowledge base with a successor (a test fixture) ---------------------------------------


def data_with_successor(folder: Path) -> Path:
    """A copy of policies_kb/data in which the ending document has the fixture's successor."""
    data = folder / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    successor = yaml.safe_load(SUCCESSOR_FIXTURE.read_text(encoding="utf-8"))
    (successor_id,) = successor
    path = data / "sources.yaml"
    sources = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert successor_id not in sources
    sources[successor_id] = successor[successor_id]
    sources[BASIS.id]["superseded_by"] = successor_id
    path.write_text(yaml.safe_dump(sources, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


def test_successor_fixture_is_marked_and_accepted_by_the_catalogue(tmp_path: Path) -> None:
    from policies_kb.validity import document_lapse

    data = data_with_successor(tmp_path)
    catalogue = load_catalogue(data)
    successor = catalogue.sources[catalogue.sources[BASIS.id].superseded_by or ""]
    assert "测试夹具" in successor.title and "测试夹具" in (successor.doc_number or "")
    assert successor.valid_until is None
    assert document_lapse(BASIS.id, REFERENCE_DATES[SUCCEEDED], catalogue) is None
    assert document_lapse(BASIS.id, REFERENCE_DATES[SUCCEEDED], CATALOGUE) is not None


# --- WeChat: the passive reply plus what follows through the customer-service API --------------


class FakeWeChatServer:
    """tests/channels' FakeWeChatApi on its own event-loop thread, for an assistant in another process."""

    def __enter__(self) -> FakeWeChatServer:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.api = FakeWeChatApi()
        asyncio.run_coroutine_threadsafe(self.api.start(), self.loop).result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.api.stop(), self.loop).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()

    def sent_to(self, openid: str) -> list[str]:
        return [m["text"]["content"] for m in list(self.api.sent) if m.get("touser") == openid]


@dataclass
class DatedAssistant:
    state: str
    on: date
    assistant: RunningAssistant
    wechat: FakeWeChatServer

    def rest(self) -> Callable[[str], str]:
        user = f"validity-{self.state}-{uuid.uuid4().hex[:8]}"
        return lambda message: self.assistant.say_text(user, message)

    def wechat_user(self) -> Callable[[str], str]:
        openid = f"oHaiNaValidity{uuid.uuid4().hex[:13]}"
        return lambda message: self.wechat_say(openid, message)

    def wechat_say(self, openid: str, message: str, timeout: float = 60.0, quiet: float = 0.5) -> str:
        """Everything the user sees for one message: the passive reply and any later messages."""
        already = len(self.wechat.sent_to(openid))
        body = push(self.assistant, text_xml(message, msg_id=random.randint(10**15, 10**16), openid=openid))
        passive = "" if body.strip() == "success" else decrypt(body)["Content"]
        # A late turn answers through the API only: wait for its first message. Then wait until
        # nothing more arrives for `quiet` seconds (the rest of an answer longer than 2048 bytes).
        give_up = time.monotonic() + timeout
        while not passive and len(self.wechat.sent_to(openid)) == already and time.monotonic() < give_up:
            time.sleep(0.05)
        count, last_change = len(self.wechat.sent_to(openid)), time.monotonic()
        while time.monotonic() - last_change < quiet and time.monotonic() < give_up:
            time.sleep(0.05)
            if len(self.wechat.sent_to(openid)) != count:
                count, last_change = len(self.wechat.sent_to(openid)), time.monotonic()
        later = self.wechat.sent_to(openid)[already:]
        assert passive or later, f"no WeChat answer to {message!r}"
        return "\n\n".join([passive, *later] if passive else later)


@pytest.fixture(scope="module", params=list(REFERENCE_DATES))
def dated(
    request: pytest.FixtureRequest, trained_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatedAssistant]:
    state: str = request.param
    on = REFERENCE_DATES[state]
    folder = tmp_path_factory.mktemp(f"assistant-{state}")
    data_dir = data_with_successor(folder) if state == SUCCEEDED else None
    with FakeWeChatServer() as wechat:
        env = {"HAINA_REFERENCE_DATE": on.isoformat(), "WECHAT_API_BASE_URL": wechat.api.base_url}
        with start_assistant(folder, env, data_dir) as assistant:
            yield DatedAssistant(state, on, assistant, wechat)


CHANNELS = ["rest", "wechat"]


def speaker(dated: DatedAssistant, channel: str) -> Callable[[str], str]:
    return dated.rest() if channel == "rest" else dated.wechat_user()


# --- what each state must say -------------------------------------------------------------------


def ending_words(on: date) -> str:
    """ending_notice's words: 有效期至2026年12月31日（还剩1天）."""
    days_left = (BASIS.valid_until - on).days  # type: ignore[operator]
    return f"有效期至{chinese_date(BASIS.valid_until)}（还剩{days_left}天）"  # type: ignore[arg-type]


ENDED_WORDS = (
    f"有效期到{chinese_date(BASIS.valid_until)}，已经到期",  # type: ignore[arg-type]
    f"最近一次核对（{chinese_date(BASIS.successor_checked_on)}）",  # type: ignore[arg-type]
    "还没有查到延续或替代文件",
    "12333",
    "区就业促进中心",
)


def assert_expiring(reply: str, on: date) -> None:
    assert LAPSED_MARK not in reply, reply
    assert f"{BASIS.doc_number}" in reply, reply
    assert ending_words(on) in reply, reply
    assert "到期后是否延续尚未公布" in reply, reply
    assert "已经到期" not in reply, reply


def assert_ended(reply: str) -> None:
    assert f"{BASIS.doc_number}" in reply, reply
    for words in ENDED_WORDS:
        assert words in reply, (words, reply)
    assert "还剩" not in reply, reply


def assert_normal(reply: str) -> None:
    assert LAPSED_MARK not in reply, reply
    assert STATUS_LABELS[BASIS_LAPSED] not in reply, reply
    assert "已经到期" not in reply, reply
    assert f"有效期至{chinese_date(BASIS.valid_until)}" not in reply, reply  # type: ignore[arg-type]
    assert "到期后是否延续尚未公布" not in reply, reply


# --- (a) the 8号 subsidy, asked about by name -----------------------------------------------------


@pytest.mark.parametrize("channel", CHANNELS)
def test_subsidy_by_name(dated: DatedAssistant, channel: str) -> None:
    policy = CATALOGUE.policies[SUBSIDY]
    reply = speaker(dated, channel)("就业困难人员灵活就业社保补贴是什么")
    assert "50%" in reply, reply  # the card itself, not a fallback
    if dated.state == EXPIRING:
        assert f"【{policy.name}】" in reply
        assert_expiring(reply, dated.on)
    elif dated.state == ENDED:
        assert f"{LAPSED_MARK}{policy.name}" in reply, reply
        assert_ended(reply)
        # The notice comes first; the figures that follow are the rule as it stood.
        assert reply.index(ENDED_WORDS[0]) < reply.index("50%"), reply
        assert "有效期内的规定" in reply, reply
    else:
        assert f"【{policy.name}】" in reply
        assert_normal(reply)


@pytest.mark.parametrize("channel", CHANNELS)
def test_subsidy_aspect_question(dated: DatedAssistant, channel: str) -> None:
    policy = CATALOGUE.policies[SUBSIDY]
    reply = speaker(dated, channel)("就业困难人员灵活就业社保补贴能享受几年")
    assert "3年" in reply, reply
    if dated.state == EXPIRING:
        assert_expiring(reply, dated.on)
    elif dated.state == ENDED:
        assert f"{LAPSED_MARK}{policy.name}" in reply, reply
        assert_ended(reply)
        assert reply.index(ENDED_WORDS[0]) < reply.index("3年"), reply
    else:
        assert_normal(reply)


# --- (b) 首次创业一次性补贴 through the 就业困难人员 path ----------------------------------------------


def founder_answers(on: date) -> dict[str, str]:
    """FOUNDER_ANSWERS of the REST conversation test, with a business registered 14 months before
    the reference date: past the one year of business and within the 18 months to apply, on each date."""
    registered = months_before(on, 14)
    return {**FOUNDER_ANSWERS, "registration_date": chinese_date(registered)}


def check_as_founder(say: Callable[[str], str], answers: dict[str, str]) -> tuple[str, list[str]]:
    reply = say("我能申请首次创业一次性补贴吗")
    asked: list[str] = []
    for _ in range(15):
        field = field_asked(reply)
        if field is None:
            break
        assert field in answers, f"asked {field!r}, which the test has no answer for: {reply}"
        asked.append(field)
        reply = say(answers[field])
    return reply, asked


@pytest.mark.parametrize("channel", CHANNELS)
def test_first_business_subsidy_as_hard_to_employ(dated: DatedAssistant, channel: str) -> None:
    name = CATALOGUE.policies[FIRST_BUSINESS].name
    group = CATALOGUE.vocabulary.applicant_groups[GROUP].name
    reply, asked = check_as_founder(speaker(dated, channel), founder_answers(dated.on))
    assert "groups" in asked and len(asked) == len(set(asked)), asked
    assert f"「{name}」" in reply, reply
    assert STATUS_LABELS[NOT_ELIGIBLE] not in reply, reply
    subject = f"「{group}」的认定依据"
    if dated.state == EXPIRING:
        assert f"「{name}」{STATUS_LABELS[ELIGIBLE]}" in reply, reply
        assert subject in reply, reply
        assert_expiring(reply, dated.on)
    elif dated.state == ENDED:
        # Neither 符合 nor 不符合: a verdict of its own, the notice, and the rule as it stood.
        assert f"「{name}」{STATUS_LABELS[BASIS_LAPSED]}" in reply, reply
        assert STATUS_LABELS[ELIGIBLE] not in reply, reply
        assert "不符合" not in reply, reply
        assert subject in reply, reply
        assert_ended(reply)
        assert "按原规定符合" in reply, reply
    else:
        assert f"「{name}」{STATUS_LABELS[ELIGIBLE]}" in reply, reply
        assert subject not in reply, reply
        assert_normal(reply)


def test_first_business_subsidy_card_names_the_part_that_rests_on_the_document(dated: DatedAssistant) -> None:
    """The item as a whole does not rest on 8号: no lapsed head, a notice about 就业困难人员 only."""
    name = CATALOGUE.policies[FIRST_BUSINESS].name
    group = CATALOGUE.vocabulary.applicant_groups[GROUP].name
    reply = dated.rest()("首次创业一次性补贴是什么")
    assert f"【{name}】" in reply, reply
    assert LAPSED_MARK not in reply, reply
    subject = f"「{group}」的认定依据"
    if dated.state == EXPIRING:
        assert subject in reply, reply
        assert_expiring(reply, dated.on)
    elif dated.state == ENDED:
        assert subject in reply, reply
        assert_ended(reply)
    else:
        assert subject not in reply, reply
        assert_normal(reply)


def test_first_business_subsidy_as_graduate_is_not_touched(dated: DatedAssistant) -> None:
    """A verdict that holds through another condition (a graduate within two years) stays as it is."""
    name = CATALOGUE.policies[FIRST_BUSINESS].name
    answers = founder_answers(dated.on)
    registered = months_before(dated.on, 14)
    answers |= {"groups": "高校毕业生", "graduation_date": chinese_date(months_before(registered, 3))}
    reply, asked = check_as_founder(dated.rest(), answers)
    assert "graduation_date" in asked, asked
    assert f"「{name}」{STATUS_LABELS[ELIGIBLE]}" in reply, reply
    assert CATALOGUE.vocabulary.applicant_groups[GROUP].name + "」的认定" not in reply, reply
    assert_normal(reply)


# --- the fact sheet's corrections, asked as a new user asks (issue #22) ---------------------------


def fact(policy_id: str, key: str) -> str:
    found = CATALOGUE.policies[policy_id].fact(key)
    assert found is not None, (policy_id, key)
    return found.text


def first_lines(reply: str, count: int = 2) -> str:
    return "\n".join(reply.strip().splitlines()[:count])


def test_batch_loan_of_the_plan_is_a_guaranteed_loan(dated: DatedAssistant) -> None:
    plan = CATALOGUE.sources["S34"].doc_number
    batch = CATALOGUE.policies["startup_guarantee_batch_loan"]
    reply = dated.rest()("创业担保批次贷是什么")
    assert batch.name in first_lines(reply), reply
    assert plan in reply and "不是人社部门的创业担保贷款" not in reply, reply


def test_batch_loan_question_tells_the_two_products_apart(dated: DatedAssistant) -> None:
    reply = dated.rest()("批次贷是人社部门的吗")
    assert CATALOGUE.policies["startup_guarantee_batch_loan"].name in first_lines(reply), reply
    assert "担保基金贷" in reply, reply  # the fund's product is named as the other one


def test_flexible_subsidy_duration_in_the_documents_words(dated: DatedAssistant) -> None:
    reply = dated.rest()("灵活就业社保补贴能享受几年")
    assert "最长不超过3年" in fact(SUBSIDY, "max_duration") and fact(SUBSIDY, "max_duration") in reply, reply
    assert "一般不超过3年" not in reply, reply
    assert "离校2年内未就业高校毕业生" in reply, reply  # the graduates' subsidy is mentioned too
    if dated.state == ENDED:
        assert_ended(reply)


def test_star_service_system_is_found_and_marked_unpublished(dated: DatedAssistant) -> None:
    reply = dated.rest()("星级服务制度是什么")
    assert CATALOGUE.policies["expert_star_service_system"].name in first_lines(reply), reply
    assert "待核实" in reply and "没有听懂" not in reply, reply


def test_malanhua_stages(dated: DatedAssistant) -> None:
    reply = dated.rest()("马兰花计划分哪几个阶段")
    stages = fact("malanhua_training", "stages")
    for stage in ("创业意识激发期", "创业准备期", "创业初创期", "创业发展期"):
        assert stage in stages and stage in reply, (stage, reply)
