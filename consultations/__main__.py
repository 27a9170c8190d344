"""Developer CLI: `python -m consultations load | slots --expert ID | bookings --user U`.

`load` migrates the database, stores the experts and generates slots for the booking horizon;
it is idempotent and meant to run daily (cron or the set-up script) so the horizon moves on.
`slots` and `bookings` print JSON; phone numbers are masked, names are not printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from consultations.catalogue import DATA_DIR, load_catalogue
from consultations.clock import FixedClock, system_clock
from consultations.db import database_url, make_engine, migrate
from consultations.errors import ConsultationError
from consultations.model import Booking, Slot
from consultations.privacy import hash_user_id, mask_phone
from consultations.service import BookingService
from consultations.workcalendar import year_source


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m consultations", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=None, help="default: $DATABASE_URL or sqlite:///var/haina.db"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DATA_DIR, help="folder with experts.yaml and rules.yaml"
    )
    parser.add_argument(
        "--now",
        type=_aware_datetime,
        default=None,
        help="pretend it is this ISO time, e.g. 2026-11-28T12:00+08:00 (demos, tests); default: the system clock",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="migrate, store experts, generate slots")
    load.add_argument("--days", type=int, default=None, help="days of slots to generate (default: horizon)")
    slots = commands.add_parser("slots", help="an expert's upcoming slots as JSON")
    slots.add_argument("--expert", required=True)
    slots.add_argument("--all", action="store_true", help="include full and closed slots")
    bookings = commands.add_parser("bookings", help="a user's bookings as JSON")
    bookings.add_argument("--user", required=True)
    args = parser.parse_args(argv)

    try:
        url = args.database_url or database_url()
        engine = make_engine(url)
        if args.command == "load":
            print(f"Migrating {engine.url.render_as_string(hide_password=True)} …", flush=True)
        migrate(engine)
        catalogue = load_catalogue(args.data_dir)
        service = BookingService(engine, catalogue, FixedClock(args.now) if args.now else system_clock)
        if args.command == "load":
            return _load(service, args.days)
        if args.command == "slots":
            if catalogue.expert(args.expert) is None:
                print(f"unknown expert {args.expert!r}", file=sys.stderr)
                return 2
            _print_json([_slot_json(s) for s in service.expert_slots(args.expert, only_free=not args.all)])
            return 0
        found = service.bookings(args.user, include_past=True, include_cancelled=True)
        _print_json({"user": hash_user_id(args.user), "bookings": [_booking_json(b) for b in found]})
        return 0
    except ConsultationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


def _aware_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-11-28T12:00+08:00")
    return value


def _load(service: BookingService, days: int | None) -> int:
    catalogue = service.catalogue
    label = " (SAMPLE DATA)" if catalogue.sample_data else ""
    print(f"Catalogue {catalogue.source}: {len(catalogue.experts)} experts{label}", flush=True)
    report = service.refresh(days)
    print(
        f"Experts: {report.experts_added} added, {report.experts_updated} updated, "
        f"{report.experts_deactivated} deactivated",
        flush=True,
    )
    sync = report.slots
    for year in range(int(report.first_day[:4]), int(report.last_day[:4]) + 1):
        print(f"Holidays {year}: {year_source(year) or 'unknown'}", flush=True)
    print(
        f"Slots {report.first_day}..{report.last_day}: {sync.created} created, {sync.updated} updated, "
        f"{sync.removed} removed, {sync.closed} closed (still holding bookings)",
        flush=True,
    )
    if report.unknown_days:
        print(
            f"WARNING: no holiday data for {report.unknown_days[0]}..{report.unknown_days[-1]} "
            f"({len(report.unknown_days)} days): no slots generated there. Upgrade chinesecalendar, or "
            "copy the State Council's holiday notice into consultations/data/holiday_notices.yaml.",
            flush=True,
        )
    return 0


def _slot_json(slot: Slot) -> dict[str, Any]:
    return {
        "id": slot.id,
        "expert_id": slot.expert_id,
        "start": slot.local_start.isoformat(),
        "end": slot.local_end.isoformat(),
        "form": slot.form.value,
        "venue": slot.venue,
        "district": slot.district,
        "capacity": slot.capacity,
        "booked": slot.booked,
        "open": slot.open,
        "text": slot.describe(),
    }


def _booking_json(booking: Booking) -> dict[str, Any]:
    return {
        "code": booking.code,
        "status": booking.status.value,
        "expert": booking.expert_name,
        "topic": booking.topic,
        "stage": booking.stage,
        "phone": mask_phone(booking.phone),
        "slot": _slot_json(booking.slot),
    }


def _print_json(value: object) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
