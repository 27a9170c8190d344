"""`python -m consultations load | slots | bookings` in a subprocess, from another directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from consultations.clock import FixedClock
from consultations.db import make_engine
from consultations.model import SHANGHAI
from consultations.service import BookingService

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=SHANGHAI)


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "consultations", "--now", NOW.isoformat(), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_cli_load_slots_and_bookings(tmp_path: Path) -> None:
    load = run_cli(tmp_path, "load")
    assert load.returncode == 0, load.stderr
    assert "14 experts (SAMPLE DATA)" in load.stdout
    assert "created" in load.stdout

    again = run_cli(tmp_path, "load")
    assert again.returncode == 0 and ": 0 created" in again.stdout

    slots = run_cli(tmp_path, "slots", "--expert", "E12")
    assert slots.returncode == 0, slots.stderr
    listed = json.loads(slots.stdout)
    assert listed and all(s["expert_id"] == "E12" and s["start"].endswith("+08:00") for s in listed)

    engine = make_engine(f"sqlite:///{tmp_path / 'cli.db'}")
    booking = BookingService(engine, clock=FixedClock(NOW)).book(
        user_id="oOpenId123",
        slot_id=listed[0]["id"],
        name="李先生",
        phone="13912345678",
        topic="政策申报",
        stage="筹备期",
        idempotency_key="cli-test",
    )
    engine.dispose()
    bookings = run_cli(tmp_path, "bookings", "--user", "oOpenId123")
    assert bookings.returncode == 0, bookings.stderr
    shown = json.loads(bookings.stdout)
    assert [(b["code"], b["phone"], b["status"]) for b in shown["bookings"]] == [
        (booking.code, "139****5678", "active")
    ]
    for secret in ("oOpenId123", "13912345678", "李先生"):
        assert secret not in bookings.stdout

    unknown = run_cli(tmp_path, "slots", "--expert", "NOPE")
    assert unknown.returncode == 2
