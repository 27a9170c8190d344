"""Log lines: one format per process, JSON in production, personal data masked — unit level, then the
real Rasa server started by bot.launch at DEBUG, where Rasa itself logs every user message."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
import time
import urllib.request

import pytest

from bot import logs, runtime
from tests.conftest import free_port

PHONE = "13912345678"
ID_NUMBER = "310101199001011234"


def record(message: str, *args, exc: BaseException | None = None, **extra) -> logging.LogRecord:
    entry = logging.LogRecord("bot.test", logging.WARNING, __file__, 1, message, args, None)
    if exc is not None:
        entry.exc_info = (type(exc), exc, exc.__traceback__)
    entry.__dict__.update(extra)
    return entry


def emit(fmt: str, entry: logging.LogRecord) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter("actions") if fmt == "json" else logging.Formatter("%(message)s"))
    handler.addFilter(logs.PersonalDataFilter())
    handler.handle(entry)
    return stream.getvalue()


def test_json_line_has_the_fields_a_log_agent_indexes() -> None:
    line = json.loads(emit("json", record("booking %s made", "HN12AB", user_ref="u:1a2b", seats=1)))
    assert line["level"] == "WARNING" and line["service"] == "actions" and line["logger"] == "bot.test"
    assert line["msg"] == "booking HN12AB made"
    assert line["user_ref"] == "u:1a2b" and line["seats"] == 1
    assert line["ts"].endswith("+00:00")


def test_phones_and_openids_are_masked_in_messages_and_tracebacks() -> None:
    try:
        raise ValueError(f"bad input {PHONE}")
    except ValueError as error:
        caught = error
    out = emit("json", record("GET /wechat?openid=oABCdef123&x=1 from %s", PHONE, exc=caught))
    line = json.loads(out)
    assert PHONE not in out and "oABCdef123" not in out
    assert "139****5678" in line["msg"] and "openid=***&x=1" in line["msg"]
    assert "ValueError: bad input 139****5678" in line["exc"]
    assert PHONE not in emit("text", record("电话 %s", PHONE))


def test_a_bad_format_string_keeps_the_record() -> None:
    out = emit("text", record("%d items", "not-a-number"))
    assert "%d items" in out


def test_unknown_log_format_is_refused(monkeypatch) -> None:
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        logs.log_format()
    result = subprocess.run(
        [sys.executable, "-m", "bot.launch", "actions", "--port", "1"],
        env=runtime.child_env({"LOG_FORMAT": "xml"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


@pytest.mark.rasa_server
def test_rasa_at_debug_logs_json_lines_without_the_phone(tmp_path) -> None:
    model = runtime.ensure_model()
    port = free_port()
    env = runtime.child_env(
        {
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "DEBUG",
            # TensorFlow's C++ warnings bypass Python logging; child_env quiets them unless the
            # environment says otherwise, and an in-process import of spaCy/TF earlier in the
            # session may have set it to 1.
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}/webhook",  # nobody: not needed here
        }
    )
    command = [
        sys.executable, "-m", "bot.launch", "rasa", "run", "--model", str(model), "--port", str(port),
        "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
    ]  # fmt: skip
    out_file = tmp_path / "rasa.log"
    with out_file.open("w") as out:
        process = subprocess.Popen(
            command, cwd=runtime.PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 240
            while True:
                assert process.poll() is None, out_file.read_text()[-3000:]
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                    break
                except OSError:
                    assert time.monotonic() < deadline, "Rasa did not start"
                    time.sleep(0.5)
            body = json.dumps(
                {"sender": "log-test", "message": f"我的手机号是{PHONE}，身份证{ID_NUMBER}"}
            ).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                data=body,
                headers={"Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=60).read()
        finally:
            process.terminate()
            process.wait(timeout=60)
    text = out_file.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is JSON
    assert PHONE not in text and ID_NUMBER not in text
    # Rasa logs the user's message at DEBUG: it is there, masked, once (no second coloured handler).
    mentions = [line for line in lines if "139****5678" in line["msg"] and "身份证" + "*" * 18 in line["msg"]]
    assert mentions and all(line["service"] == "rasa" for line in lines)
    starts = [line for line in lines if "Starting Rasa server" in line["msg"]]
    assert len(starts) == 1


def test_library_deprecations_are_dropped_ours_are_kept() -> None:
    keep = logs.LibraryDeprecationFilter()

    def warning_record(text: str) -> logging.LogRecord:
        return logging.LogRecord("py.warnings", logging.WARNING, __file__, 1, "%s", (text,), None)

    library = (
        "/x/.venv/lib/python3.10/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: old API\n"
    )
    ours = "/work/main/consultations/service.py:12: DeprecationWarning: use book()\n"
    other = "/x/site-packages/rasa/shared/utils/io.py:99: UserWarning: slot mapping\n"
    assert not keep.filter(warning_record(library))
    assert keep.filter(warning_record(ours)) and keep.filter(warning_record(other))
