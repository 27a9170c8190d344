"""Start the Rasa server or the action server with the project's log format (bot/logs.py).

    python -m bot.launch rasa run --model models/haina.tar.gz ...   # = python -m rasa run ...
    python -m bot.launch actions --actions actions --port 5055      # = python -m rasa_sdk ...

Rasa 3.6 and rasa_sdk 3.6 both install `coloredlogs` on the root logger at start-up, whatever
logging configuration they were given (rasa applies `--logging-config-file` first and installs
coloredlogs after it, which would print every line twice). This launcher puts the project's
configuration in place of that one step, so each process logs once, in LOG_FORMAT, with personal
data filtered. For the Rasa server it also changes two things that matter on a busy replica: one
connection pool per endpoint for action calls, and turns that share the event loop step by step
(see the two functions below). Both servers bind RASA_HOST / ACTION_HOST (loopback by default),
and the action server answers only calls that carry ACTION_SERVER_TOKEN (docs/operations.md
"Internal services"). Everything else is the libraries' own command line.
"""

from __future__ import annotations

import sys
from typing import Any

import settings
from bot import logs

SERVICES = ("rasa", "actions")


def _use_project_logging(service: str) -> None:
    def configure(loglevel: object = None) -> None:
        level = loglevel if isinstance(loglevel, str) else None
        if isinstance(loglevel, int):
            import logging

            level = logging.getLevelName(loglevel)
        logs.configure(service, level=level)

    if service == "rasa":
        import rasa.utils.io

        rasa.utils.io.configure_colored_logging = configure
    else:
        import rasa_sdk.utils

        rasa_sdk.utils.configure_colored_logging = configure


class _KeptSession:
    """`async with` over a shared aiohttp session that leaves it open for the next call."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *_: object) -> None:
        return None


# Idle pooled connections are dropped well before the action server (Sanic, 5 s keep-alive) closes
# them: reusing a connection the server is closing fails the action ("Can not write request body"),
# which the load benchmark hit once per few thousand calls with aiohttp's default of 15 s.
POOL_KEEPALIVE_SECONDS = 2.0


def _reuse_endpoint_connections() -> None:
    """Keep one HTTP connection pool per endpoint instead of a new connection per action call.

    Rasa 3.6's `EndpointConfig.request` opens a fresh `aiohttp.ClientSession` for every custom
    action call, so each call pays a TCP connect on both servers and extra event-loop turns; on a
    saturated replica every extra turn is another wait behind all the other conversations. The pool
    has the same headers, auth and timeout as Rasa's own session, one per endpoint and event loop.
    """
    import asyncio

    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    create_session = EndpointConfig.session
    pools: dict[tuple[int, int], aiohttp.ClientSession] = {}

    def new_pool(endpoint: EndpointConfig) -> aiohttp.ClientSession:
        auth = (
            aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
            if endpoint.basic_auth
            else None
        )
        return aiohttp.ClientSession(
            headers=endpoint.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=POOL_KEEPALIVE_SECONDS),
        )

    def session(self: EndpointConfig) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop: Rasa's own behaviour
            return create_session(self)
        key = (id(self), id(loop))
        pool = pools.get(key)
        if pool is None or pool.closed:
            pool = pools[key] = new_pool(self)
        return _KeptSession(pool)

    EndpointConfig.session = session  # type: ignore[method-assign]


# The awaited steps of `MessageProcessor.handle_message`: NLU, slot extraction, each action (after
# its prediction) and the tracker save.
TURN_STEPS = ("_handle_message_with_tracker", "run_action_extract_slots", "_run_action", "save_tracker")


def _share_the_loop_between_turns() -> None:
    """Let the event loop switch between conversations at each step of a turn.

    Rasa 3.6 runs a turn's steps (NLU, each policy prediction, each action, the tracker save) back
    to back and only gives the loop up while it waits for I/O, such as a call to the action server.
    On a busy replica the loop therefore serves turns in arrival order, and a turn that calls the
    action server goes back to the end of that queue for the rest of its work: a KB answer waited
    about twice as long as a greeting although it costs about as much CPU. Yielding between steps
    makes the loop share the CPU round-robin among the turns in progress, so a turn's wait grows
    with its own work instead of with the number of times it awaits the action server. A turn's
    steps run in the same order as before; only other conversations may run between them.
    """
    import asyncio
    import functools

    from rasa.core.processor import MessageProcessor

    def yielding_first(method: Any) -> Any:
        @functools.wraps(method)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            return await method(*args, **kwargs)

        return wrapper

    for name in TURN_STEPS:
        setattr(MessageProcessor, name, yielding_first(getattr(MessageProcessor, name)))


def _freeze_the_loaded_model() -> None:
    """Keep the objects of the loaded model out of the garbage collector's full collections.

    After loading, a Rasa server holds hundreds of thousands of long-lived objects (the model,
    TensorFlow, the domain). Each full collection walked all of them while every turn in progress
    waited: 16 in a one-minute load run on one replica, up to 453 ms each (docs/reports/load).
    `gc.freeze()` right after the load moves them to a permanent generation that collections
    skip; objects made while serving are collected as before. A model swapped in at run time
    (`PUT /model`) would leave the old one frozen; deployments here restart replicas instead.
    """
    import functools
    import gc

    from rasa.core import run

    load = run.load_agent_on_start

    @functools.wraps(load)
    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        agent = await load(*args, **kwargs)
        gc.collect()
        gc.freeze()
        return agent

    run.load_agent_on_start = load_then_freeze


# A conversation's session ends after this many stored events (about 120 turns) as well as after
# domain/conversation.yml's idle time: Rasa loads and featurises the whole current session on every
# turn, so a sender who never pauses would otherwise make each turn slower than the last.
MAX_SESSION_EVENTS = 1000


def _bound_the_conversation() -> None:
    """Start a new session (slots carried over, as after an idle expiry) once a session is long.

    Rasa 3.6 offers only the idle expiry (`session_config`); the tracker stores have no event cap
    that keeps the saved and loaded events consistent. A new session is Rasa's own way to stop
    loading old events: the SQL tracker store reads only the latest session.
    """
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import SessionStarted

    expired = MessageProcessor._has_session_expired

    def too_long(tracker: Any) -> bool:
        # Events of the latest session, counted from the end (an in-memory store holds them all).
        for count, event in enumerate(reversed(tracker.events), start=1):
            if isinstance(event, SessionStarted):
                return False
            if count > MAX_SESSION_EVENTS:
                return True
        return False

    def has_session_expired(self: MessageProcessor, tracker: Any) -> bool:
        if self.domain.session_config.are_sessions_enabled() and too_long(tracker):
            return True
        return expired(self, tracker)

    MessageProcessor._has_session_expired = has_session_expired  # type: ignore[method-assign]


ACTION_TOKEN_MISSING = (
    "ACTION_SERVER_TOKEN 未设置：动作服务器只接受携带该令牌的 Rasa 调用（python -m bot.cli serve 会自动生成）。"
    " / ACTION_SERVER_TOKEN is not set: the action server accepts only calls that carry it."
)


def _guard_the_action_server() -> None:
    """Serve action calls only to Rasa: bind ACTION_HOST, and require the shared token.

    The actions read and change people's bookings for whatever sender id a call names, so a call
    must come from Rasa, which got that id from a channel. Rasa sends the token as a bearer header
    (endpoints.yml); /health stays open for probes and says nothing about anyone.
    """
    import hmac
    import os

    from rasa_sdk import endpoint
    from sanic import response
    from sanic.request import Request

    config = settings.current()
    if config.action_server_token is None:
        raise SystemExit(ACTION_TOKEN_MISSING)
    expected = f"Bearer {config.action_server_token.get_secret_value()}".encode()
    create_app = endpoint.create_app

    def guarded_app(*args: Any, **kwargs: Any) -> Any:
        app = create_app(*args, **kwargs)

        @app.middleware("request")
        async def require_token(request: Request) -> Any:
            if request.path == "/health":
                return None
            given = request.headers.get("authorization", "").encode()
            if not hmac.compare_digest(given, expected):
                return response.json({"error": "unauthorized"}, status=401)
            return None

        return app

    endpoint.create_app = guarded_app  # run() looks the name up when it is called
    os.environ["SANIC_HOST"] = config.action_host  # rasa_sdk's run() binds this (its default: 0.0.0.0)


def _rasa_arguments(rest: list[str]) -> list[str]:
    """`rasa run` on RASA_HOST unless the command line names an interface (Rasa's default: 0.0.0.0)."""
    if rest[:1] == ["run"] and not {"-i", "--interface"} & set(rest):
        return [*rest, "--interface", settings.current().rasa_host]
    return rest


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SERVICES:
        print(f"usage: python -m bot.launch {{{'|'.join(SERVICES)}}} ARGS...", file=sys.stderr)
        return 2
    service, rest = argv[0], argv[1:]
    # Configured before the libraries are imported, so import-time warnings are formatted too;
    # a bad LOG_FORMAT stops here with a clear message, before a model is loaded.
    logs.configure(service)
    _use_project_logging(service)
    if service == "rasa":
        from rasa.__main__ import main as rasa_main

        from bot import speedups

        speedups.install()
        _reuse_endpoint_connections()
        _freeze_the_loaded_model()
        _bound_the_conversation()
        # HAINA_TURN_YIELDS=0 restores Rasa's own scheduling, to compare (docs/reports/load).
        if settings.current().turn_yields:
            _share_the_loop_between_turns()
        sys.argv = ["rasa", *_rasa_arguments(rest)]
        rasa_main()
        return 0
    from rasa_sdk.__main__ import main as sdk_main

    _guard_the_action_server()
    sys.argv = ["rasa_sdk", *rest]
    sdk_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
