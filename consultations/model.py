"""Plain domain types shared by every module of the package.

Everything here is framework-free and immutable, so the Rasa actions (built later) can pass these
objects around, render them and put their ids into slots without touching the database layer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from consultations.privacy import hash_user_id, mask_phone
from zh import places
from zh.dates import WEEKDAY_NAMES

#: Sessions happen in Shanghai; the database keeps UTC and every user-facing time is converted back.
SHANGHAI = ZoneInfo("Asia/Shanghai")

#: The fixed vocabulary of expertise areas. Data files and user input are mapped onto it, so a
#: topic the bot understands always has a chance to match an expert.
AREAS: tuple[str, ...] = (
    "融资",
    "财税",
    "法律",
    "股权",
    "营销",
    "知识产权",
    "人力资源",
    "电商",
    "文创",
    "商业计划",
    "政策申报",
)

#: Words users (and NLU entities) say for an area. Keys are matched after whitespace removal.
AREA_ALIASES: dict[str, str] = {
    "股权激励": "股权",
    "股份": "股权",
    "期权": "股权",
    "合伙人": "股权",
    "税务": "财税",
    "记账": "财税",
    "财务": "财税",
    "报税": "财税",
    "会计": "财税",
    "专利": "知识产权",
    "商标": "知识产权",
    "版权": "知识产权",
    "著作权": "知识产权",
    "贷款": "融资",
    "投资": "融资",
    "找投资": "融资",
    "创业担保贷款": "融资",
    "合同": "法律",
    "法务": "法律",
    "劳动合同": "人力资源",
    "招聘": "人力资源",
    "社保": "人力资源",
    "市场": "营销",
    "推广": "营销",
    "品牌": "营销",
    "网店": "电商",
    "直播带货": "电商",
    "直播": "电商",
    "文化创意": "文创",
    "设计": "文创",
    "商业计划书": "商业计划",
    "bp": "商业计划",
    "项目计划书": "商业计划",
    "补贴申请": "政策申报",
    "政策": "政策申报",
    "申报": "政策申报",
}


def normalise_area(text: str) -> str | None:
    """Map a user's or a data file's wording onto the fixed vocabulary; None if unknown."""
    key = "".join(text.split()).lower()
    if key in AREAS:
        return key
    return AREA_ALIASES.get(key)


#: The sixteen districts of Shanghai by official name, in the order of zh/data/districts.yaml (the one
#: districts file, shared with the knowledge base).
DISTRICTS: tuple[str, ...] = tuple(d.name for d in places.DISTRICTS)


def normalise_district(text: str) -> str | None:
    """Map "浦东"/"浦东新区"/"徐汇"/"卢湾" onto the official district name; None if not a Shanghai district."""
    district = places.district(text)
    return district.name if district else None


class ServiceForm(str, enum.Enum):
    """The volunteer group's "5+1" service forms (门诊、会诊、上门指导、结对、网上咨询 + 讲座).

    Only the one-to-one forms can be booked in a chat; the others are organised by staff and are
    kept so an expert's profile can say what else they take part in.
    """

    CLINIC = "门诊"
    ON_SITE = "上门"
    ONLINE = "网上"
    PANEL = "会诊"
    PAIRING = "结对"
    LECTURE = "讲座"

    @property
    def bookable(self) -> bool:
        return self in BOOKABLE_FORMS

    @property
    def label(self) -> str:
        """The user-facing name of the form."""
        return _FORM_LABELS[self]


BOOKABLE_FORMS: frozenset[ServiceForm] = frozenset(
    {ServiceForm.CLINIC, ServiceForm.ON_SITE, ServiceForm.ONLINE}
)

_FORM_LABELS = {
    ServiceForm.CLINIC: "门诊咨询",
    ServiceForm.ON_SITE: "上门指导",
    ServiceForm.ONLINE: "网上咨询",
    ServiceForm.PANEL: "专家会诊",
    ServiceForm.PAIRING: "结对指导",
    ServiceForm.LECTURE: "专家讲座",
}


class FormPreference(str, enum.Enum):
    """What a user can say about the form when searching: online, in person, or either."""

    ONLINE = "online"
    IN_PERSON = "in_person"
    ANY = "any"

    def accepts(self, form: ServiceForm) -> bool:
        if self is FormPreference.ANY:
            return form.bookable
        if self is FormPreference.ONLINE:
            return form is ServiceForm.ONLINE
        return form in (ServiceForm.CLINIC, ServiceForm.ON_SITE)


@dataclass(frozen=True)
class ScheduleEntry:
    """One recurring weekly session block, cut into slots of `slot_minutes`."""

    weekday: int  # 0 = Monday … 6 = Sunday, as datetime.date.weekday()
    start: time
    end: time
    form: ServiceForm
    slot_minutes: int
    capacity: int
    venue: str  # a place, "线上" for online sessions, or the area served for on-site visits
    district: str | None  # None for online sessions


@dataclass(frozen=True)
class Expert:
    """An expert of the volunteer group as described in the catalogue file."""

    id: str
    display_name: str
    areas: tuple[str, ...]
    districts: tuple[str, ...]
    forms: tuple[ServiceForm, ...]
    bio: str
    schedule: tuple[ScheduleEntry, ...]
    # Assigned by the volunteer group under its star-level service system (星级服务制度), 1-5.
    # No published standard was found (policy_facts.md §6), so it is data the group supplies,
    # never computed here; None = not rated, and the sample experts have none.
    star_level: int | None = None

    @property
    def bookable_forms(self) -> tuple[ServiceForm, ...]:
        return tuple(f for f in self.forms if f.bookable)


@dataclass(frozen=True)
class Rules:
    """Booking rules from rules.yaml; the service enforces them, the bot only words them."""

    free_of_charge: bool
    cancel_min_hours: int
    horizon_days: int
    max_active_bookings: int
    makeup_day_weekday: int
    prepare: dict[ServiceForm, str]
    notice: str


@dataclass(frozen=True)
class Catalogue:
    """Everything loaded from the data directory."""

    experts: tuple[Expert, ...]
    rules: Rules
    sample_data: bool
    source: str

    def expert(self, expert_id: str) -> Expert | None:
        return next((e for e in self.experts if e.id == expert_id), None)


@dataclass(frozen=True)
class SlotSpec:
    """A concrete slot computed from a schedule, before it is stored."""

    id: str
    expert_id: str
    start_at: datetime  # aware, UTC
    end_at: datetime  # aware, UTC
    form: ServiceForm
    venue: str
    district: str | None
    capacity: int

    @property
    def local_date(self) -> date:
        return self.start_at.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Slot:
    """A stored slot with its current occupation."""

    id: str
    expert_id: str
    start_at: datetime
    end_at: datetime
    form: ServiceForm
    venue: str
    district: str | None
    capacity: int
    booked: int
    open: bool

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0) if self.open else 0

    @property
    def local_start(self) -> datetime:
        return self.start_at.astimezone(SHANGHAI)

    @property
    def local_end(self) -> datetime:
        return self.end_at.astimezone(SHANGHAI)

    def describe(self) -> str:
        """A short Chinese description for chat, e.g. "12月1日（周二）09:00-10:00 门诊咨询 · 地点"."""
        s, e = self.local_start, self.local_end
        return f"{s.month}月{s.day}日（{WEEKDAY_NAMES[s.weekday()]}）{s:%H:%M}-{e:%H:%M} {self.form.label} · {self.venue}"


class BookingStatus(str, enum.Enum):
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Booking:
    """A booking as the bot sees it. `phone` is normalised; use privacy.mask_phone to show it."""

    id: int
    code: str
    user_id: str | None
    slot: Slot
    expert_id: str
    expert_name: str
    name: str | None
    phone: str | None
    topic: str
    stage: str
    status: BookingStatus
    created_at: datetime
    prepare: str = ""

    @property
    def active(self) -> bool:
        """Only an active booking can be cancelled or moved."""
        return self.status is BookingStatus.ACTIVE

    def __repr__(self) -> str:
        # Personal data never reaches logs through repr: masked phone, hashed user id, no name.
        return (
            f"Booking(id={self.id}, code={self.code!r}, user={hash_user_id(self.user_id)}, slot={self.slot.id!r}, "
            f"phone={mask_phone(self.phone)}, status={self.status.value})"
        )

    __str__ = __repr__


@dataclass(frozen=True)
class ExpertMatch:
    """An expert who fits a search, with the next free slots that fit it too (may be empty)."""

    expert: Expert
    next_slots: tuple[Slot, ...]
    matched_forms: tuple[ServiceForm, ...] = field(default=())


@dataclass(frozen=True)
class ServiceRecord:
    """An expert's service record, computed from stored ratings and bookings (never typed in).

    It deliberately carries no star level: no official star-level standard was found, so mapping
    these figures onto stars is for the product owner to define.
    """

    expert_id: str
    completed_sessions: int
    rating_count: int
    average_rating: float | None
    recent_comments: tuple[str, ...]
