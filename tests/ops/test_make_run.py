"""`make run` as an operator runs it: a taken port is named before anything starts, and SIGTERM to the
process group (systemd, `kill`, a closing terminal) stops every server, as Ctrl-C does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import runtime
from tests.conftest import free_port

PORT_SETTINGS = ("RASA_PORT", "ACTION_PORT", "WEB_PORT", "SCHEDULER_PORT")


def make_run_env(folder: Path) -> dict[str, str]:
    ports = {name: str(free_port()) for name in PORT_SETTINGS}
    return {
        **os.environ,
        **ports,
        "DATABASE_URL": f"sqlite:///{folder / 'haina.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
        "HAINA_REFERENCE_DATE": "2026-11-28",
    }


def listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture()
def held_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_taken_port_is_named_and_nothing_starts(tmp_path: Path, held_port: int) -> None:
    env = {**make_run_env(tmp_path), "RASA_PORT": str(held_port)}
    started = time.monotonic()
    result = subprocess.run(
        ["make", "run"], cwd=runtime.PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"端口 {held_port} 已被占用" in output and "RASA_PORT" in output, output
    assert "启动 " not in output, "a server was started although a port was taken"
    assert not (tmp_path / "haina.db").exists(), "the check must come before setting up the database"
    assert not any(listening(int(env[name])) for name in ("ACTION_PORT", "WEB_PORT"))
    assert time.monotonic() - started < 120


def test_sigterm_to_make_run_stops_every_server(trained_model: Path, tmp_path: Path) -> None:
    stop_signal = signal.SIGTERM
    env = make_run_env(tmp_path)
    ports = [int(env[name]) for name in PORT_SETTINGS]
    log = (tmp_path / "make-run.log").open("w")
    make = subprocess.Popen(
        ["make", "run"],
        cwd=runtime.PROJECT_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 300
        web = f"http://127.0.0.1:{env['WEB_PORT']}/healthz"
        while not (all(listening(p) for p in ports) and _answers(web)):
            assert make.poll() is None, (tmp_path / "make-run.log").read_text()
            assert time.monotonic() < deadline, "make run did not become ready"
            time.sleep(1)

        os.killpg(make.pid, stop_signal)
        make.wait(timeout=60)
        deadline = time.monotonic() + 60
        while group_alive(make.pid) or any(listening(p) for p in ports):
            assert time.monotonic() < deadline, (
                f"still listening after {stop_signal.name}: {[p for p in ports if listening(p)]}\n"
                + (tmp_path / "make-run.log").read_text()[-3000:]
            )
            time.sleep(0.5)
        assert "正在停止全部服务" in (tmp_path / "make-run.log").read_text()
    finally:
        if group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        log.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except OSError:
        return False
