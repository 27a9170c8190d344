"""Unit tests of the custom actions: a rasa_sdk Tracker in, the exact events and messages out.

As in RasaHQ/financial-demo's tests/test_actions.py: no trained model, no Rasa server, no action
server. What the actions read is real, though: one fresh SQLite file per test session holds

- the policy knowledge base, imported from policies_kb/data by the project's loader (the step
  `python -m policies_kb load` of `bot.runtime.setup_database`),
- the consultation tables with the experts and their slots (`consultations.open_service(url)
  .refresh()`, as `python -m consultations load` does), and
- the agent-desk tables, where unanswered questions are logged.

The actions reach both through the domain packages' shared factories, `policies_kb.kb.shared_kb`
(`actions.knowledge.knowledge_base()`) and `consultations.shared_service`
(`actions.booking_common.booking_service()`), both opened from DATABASE_URL. The booking service
is cleared before and after every test, so each test gets its own service on its own clock (built
over the session's migrated engine and parsed expert catalogue, see `_service_opener`), and the
seats a test booked are freed afterwards. The knowledge base is read-only and building its spaCy
recogniser takes seconds, so it is cleared only when the session starts and ends; tests read their
expected figures from that same instance (the `kb` fixture), never from literals.

Time: HAINA_REFERENCE_DATE is 2026-11-28 for the policy answers, and the booking service and the
booking actions share one `FixedClock` starting at Saturday 2026-11-28 12:00 in Shanghai (the
actions' own `now()` is pointed at it, so "has the consultation ended" agrees with the service).
"""

from __future__ import annotations

import asyncio
import copy
import functools
import socket
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, UserUttered
from rasa_sdk.executor import CollectingDispatcher

import consultations
from actions import booking_common, booking_manage, knowledge
from bot.runtime import PROJECT_ROOT
from consultations import BookingService, FixedClock, open_service
from policies_kb import KnowledgeBase
from storage import resolve_database_url

REFERENCE_DATE = "2026-11-28"
CLOCK_START = (2026, 11, 28, 12, 0)  # Saturday noon in Shanghai, the day of REFERENCE_DATE
DOMAIN_DIR = PROJECT_ROOT / "domain"

Events = list[dict[str, Any]]
Messages = list[dict[str, Any]]

# Sender ids of the running test: their bookings are cancelled afterwards, so the seats they took
# are free again for the next test (bookings accumulate in the one session database otherwise).
_senders: set[str] = set()


# -- domain and trackers -------------------------------------------------------------------------


@functools.cache
def load_domain() -> dict[str, Any]:
    """The project's domain (every file of domain/) as the dict Rasa sends the action server."""
    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "slot auto-fill has been removed in 3.0"
        return Domain.load(str(DOMAIN_DIR)).as_dict()


def initial_slots(domain: Mapping[str, Any]) -> dict[str, Any]:
    """Every slot of the domain at its initial value, as in a fresh conversation."""
    slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
    slots.setdefault("requested_slot", None)
    return slots


def make_tracker(
    text: str = "",
    *,
    intent: str | None = None,
    confidence: float = 1.0,
    entities: Iterable[tuple[str, str] | dict[str, Any]] = (),
    slots: Mapping[str, Any] | None = None,
    history: Iterable[dict[str, Any]] = (),
    candidates: Iterable[dict[str, Any]] = (),
    active_loop: str | None = None,
    sender_id: str | None = None,
    channel: str = "rest",
    domain: Mapping[str, Any] | None = None,
) -> Tracker:
    """A tracker whose latest message is `text` (with `intent` and `entities`).

    Slots start at the domain's initial values, then `slots` overrides them. Events are `history`,
    then action_listen and the user message, then `candidates` (SlotSet events a form validation
    action sees as the slots to validate). `entities` are (entity, value) pairs or full dicts.
    Every tracker gets its own sender id unless one is given, so bookings never leak between tests.
    """
    parsed_entities = [
        dict(e) if isinstance(e, Mapping) else {"entity": e[0], "value": e[1], "extractor": "test"}
        for e in entities
    ]
    intent_data = {"name": intent, "confidence": confidence} if intent else {}
    latest_message = {
        "text": text,
        "intent": intent_data,
        "entities": parsed_entities,
        "intent_ranking": [intent_data] if intent else [],
        "message_id": uuid.uuid4().hex,
    }
    sender_id = sender_id or f"test-{uuid.uuid4().hex[:12]}"
    _senders.add(sender_id)
    all_slots = initial_slots(domain or load_domain())
    all_slots.update(slots or {})
    events = [
        *history,
        ActionExecuted("action_listen"),
        UserUttered(text, parse_data=latest_message, input_channel=channel),
        *candidates,
    ]
    return Tracker(
        sender_id=sender_id,
        slots=all_slots,
        latest_message=latest_message,
        events=copy.deepcopy(events),
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


def run_action(
    action: Action, tracker: Tracker, domain: Mapping[str, Any] | None = None
) -> tuple[Events, Messages]:
    """Run `action.run` as the action server would: (returned events, messages sent)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, dict(domain or load_domain())))
    return events, dispatcher.messages


def run_method(method: Any, *args: Any, domain: Mapping[str, Any] | None = None) -> tuple[Any, Messages]:
    """Call one async method of a form validation action, e.g.
    `run_method(form.validate_booking_stage, "筹备", tracker)` or
    `run_method(form.required_slots, slots, tracker)`: (its result, messages sent)."""
    dispatcher = CollectingDispatcher()
    *leading, tracker = args
    result = asyncio.run(method(*leading, dispatcher, tracker, dict(domain or load_domain())))
    return result, dispatcher.messages


def sent_texts(messages: Messages) -> list[str]:
    return [m["text"] for m in messages]


def buttons(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(b["title"], b["payload"]) for b in message["buttons"]]


# -- responses -----------------------------------------------------------------------------------

# The keys CollectingDispatcher.utter_message always sets; any other key is a value for the response.
_MESSAGE_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image", "attachment"}


def responses(messages: Messages) -> list[tuple[str | None, dict[str, Any]]]:
    """(response name, the values it is filled with) for each message sent."""
    return [(m.get("response"), {k: v for k, v in m.items() if k not in _MESSAGE_KEYS}) for m in messages]


def domain_text(response: str, **values: Any) -> str:
    """The text of a domain response filled with `values`, as the actions fill a part of another."""
    from actions.responses import text_of

    return text_of(load_domain(), response, **values)


def domain_buttons(response: str) -> list[tuple[str, str]]:
    """The buttons a domain response carries itself."""
    return [(b["title"], b["payload"]) for b in load_domain()["responses"][response][0].get("buttons", [])]


def spoken(messages: Messages) -> list[str]:
    """The texts the user gets: each response rendered from the domain as Rasa's NLG renders it."""
    from rasa.core.nlg.interpolator import interpolate_text

    domain = load_domain()
    texts = []
    for message, (response, values) in zip(messages, responses(messages), strict=True):
        if response is None:
            texts.append(message["text"])
        else:
            texts.append(interpolate_text(domain["responses"][response][0]["text"], values))
    return texts


def service_down() -> tuple[str, dict[str, Any]]:
    """The message of a service failure the user did not cause (the database is down)."""
    return ("utter_booking_service_down", {"help": domain_text("utter_booking_help_elsewhere")})


# -- the database --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def actions_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh SQLite file with the knowledge base, the experts and their slots, and the desk tables."""
    import policies_kb
    from agent_desk import AgentDesk

    url = f"sqlite:///{tmp_path_factory.mktemp('actions') / 'haina.db'}"
    # The environment is set only while seeding: each test sets it again (action_environment), so
    # tests of other folders in the same session never see this database.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", url)
        patch.setenv("HAINA_REFERENCE_DATE", REFERENCE_DATE)
        policies_kb.load(url, progress=None)
        seeding = open_service(url, FixedClock.shanghai(*CLOCK_START), auto_refresh=False)
        seeding.refresh()
        seeding.engine.dispose()
        AgentDesk.open(url)
    knowledge.knowledge_base.cache_clear()
    consultations.shared_service.cache_clear()
    yield url
    knowledge.knowledge_base.cache_clear()
    consultations.shared_service.cache_clear()


@pytest.fixture(scope="session")
def _bookings_backend(actions_database_url: str) -> Iterator[BookingService]:
    """The session's migrated engine and parsed expert catalogue, shared by every test's service;
    as a service on the session's start, it also frees the seats a test booked."""
    janitor = open_service(actions_database_url, FixedClock.shanghai(*CLOCK_START), auto_refresh=False)
    yield janitor
    janitor.engine.dispose()


def _service_opener(backend: BookingService, session_url: str, clock: FixedClock) -> Any:
    """`open_service` as consultations.shared_service calls it, on the test's clock.

    On the session database it builds a new BookingService over the session's engine and catalogue
    instead of migrating and parsing the files again (idempotent start-up work that would cost
    0.2 s a test); any other DATABASE_URL goes through the real `open_service`."""

    def opener(
        database_url: str | None = None, _clock: Any = None, *, auto_refresh: bool = True
    ) -> BookingService:
        if resolve_database_url(database_url) != resolve_database_url(session_url):
            return open_service(database_url, clock, auto_refresh=auto_refresh)
        return BookingService(backend.engine, backend.catalogue, clock, auto_refresh=auto_refresh)

    return opener


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture()
def clock() -> FixedClock:
    return FixedClock.shanghai(*CLOCK_START)


@pytest.fixture(autouse=True)
def action_environment(
    actions_database_url: str,
    _bookings_backend: BookingService,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    """Every test: the session database, the reference date, and a fresh booking service on `clock`;
    afterwards the seats the test booked are freed."""
    monkeypatch.setenv("DATABASE_URL", actions_database_url)
    monkeypatch.setenv("HAINA_REFERENCE_DATE", REFERENCE_DATE)
    monkeypatch.setattr(
        consultations, "open_service", _service_opener(_bookings_backend, actions_database_url, clock)
    )
    monkeypatch.setattr(booking_common, "now", clock)
    monkeypatch.setattr(booking_manage, "now", clock)
    consultations.shared_service.cache_clear()
    yield
    consultations.shared_service.cache_clear()
    for sender in _senders:
        _bookings_backend.delete_user_data(sender)
    _senders.clear()


@pytest.fixture()
def kb(actions_database_url: str) -> KnowledgeBase:
    """The knowledge base exactly as the actions see it (the same cached instance)."""
    return knowledge.knowledge_base()


@pytest.fixture()
def service() -> BookingService:
    """The booking service exactly as the actions see it (the same cached instance, on `clock`)."""
    return booking_common.booking_service()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture()
def database_down(monkeypatch: pytest.MonkeyPatch) -> str:
    """DATABASE_URL points at a PostgreSQL port nobody listens on; the booking service reopens."""
    url = f"postgresql+psycopg2://postgres@127.0.0.1:{closed_port()}/haina"
    monkeypatch.setenv("DATABASE_URL", url)
    consultations.shared_service.cache_clear()
    return url


def book_slot(
    service: BookingService,
    user_id: str,
    *,
    topic: str = "股权",
    form: str = "online",
    nth: int = 0,
    **fields: str,
):
    """Book the `nth` earliest free slot for `topic` (any matching expert) through the real service."""
    from consultations import FormPreference

    free = sorted(
        (s for m in service.find_experts(topic, FormPreference(form)) for s in m.next_slots),
        key=lambda s: s.start_at,
    )
    assert len(free) > nth, f"fewer than {nth + 1} free {form} slots for {topic} in the session database"
    slot = free[nth]
    args = {
        "user_id": user_id,
        "slot_id": slot.id,
        "name": "张女士",
        "phone": "138 0013 8000",
        "topic": topic,
        "stage": "筹备中",
        "idempotency_key": f"test:{user_id}:{slot.id}",
    }
    args.update(fields)
    _senders.add(user_id)
    return service.book(**args)
