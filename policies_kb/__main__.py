"""Command line: python -m policies_kb {validate,load,search,show,check,review,export-userdict,export-lookups}.

Results go to stdout as JSON (for scripts and CI); progress and errors go to stderr in Chinese and
English. Bad input never produces a traceback: exit 1 for data/input errors, 2 for usage errors.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from .catalogue import load_catalogue
from .errors import DataValidationError, KnowledgeBaseError, ProfileError, UnknownPolicyError
from .exports import export_lookups, export_userdict
from .freshness import freshness
from .kb import reference_date
from .loader import counts, load, stderr_progress
from .profile import ApplicantProfile
from .render import render_check_result, render_policy_card
from .review import DEFAULT_HORIZON_DAYS, render_review_text, review
from .search import SearchIndex


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(type(value).__name__)


def _emit(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日期格式应为 YYYY-MM-DD / expected YYYY-MM-DD, got {value!r}"
        ) from None


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        days = -1
    if days < 0:
        raise argparse.ArgumentTypeError(
            f"天数应为非负整数 / expected a whole number of days >= 0, got {value!r}"
        )
    return days


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m policies_kb", description="海纳百创 policy knowledge base"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="data directory (default: policies_kb/data)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="parse and validate the data files")
    p = sub.add_parser("load", help="import the data into DATABASE_URL (only when it changed)")
    p.add_argument("--database-url", default=None)
    p.add_argument("--force", action="store_true", help="re-import even when the data is unchanged")
    p = sub.add_parser("search", help="search policies")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=5)
    p.add_argument(
        "--date", type=_date, default=None, help="reference date (default HAINA_REFERENCE_DATE or today)"
    )
    p = sub.add_parser("show", help="show one policy as JSON plus its rendered card")
    p.add_argument("policy_id")
    p.add_argument("--date", type=_date, default=None)
    p = sub.add_parser("check", help="check eligibility of a profile (JSON file)")
    p.add_argument("--profile", type=Path, required=True)
    p.add_argument("--date", type=_date, default=None)
    p.add_argument("--policy", default=None, help="one policy id (default: every current policy)")
    p = sub.add_parser(
        "review", help="the policy team's review report: ending documents, stale items, 待核实"
    )
    p.add_argument(
        "--on", type=_date, default=None, help="review date (default HAINA_REFERENCE_DATE or today)"
    )
    p.add_argument(
        "--horizon-days",
        type=_days,
        default=DEFAULT_HORIZON_DAYS,
        help=f"flag what ends within this many days (default {DEFAULT_HORIZON_DAYS})",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of the Chinese text report")
    p = sub.add_parser("export-userdict", help="write the jieba user dictionary")
    p.add_argument("path", type=Path)
    p = sub.add_parser("export-lookups", help="write the Rasa lookup-table YAML")
    p.add_argument("path", type=Path)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.command == "load":
        result = load(args.database_url, args.data_dir, progress=stderr_progress, force=args.force)
        _emit(result.to_dict())
        return 0
    if args.command == "validate":
        try:
            catalogue = load_catalogue(args.data_dir, progress=stderr_progress)
        except DataValidationError as exc:
            _emit({"ok": False, "issues": [dataclasses.asdict(i) for i in exc.issues]})
            print(str(exc), file=sys.stderr)
            return 1
        _emit({"ok": True, "fingerprint": catalogue.fingerprint, "counts": counts(catalogue)})
        return 0
    catalogue = load_catalogue(args.data_dir)
    if args.command == "export-userdict":
        _emit({"written": str(export_userdict(args.path, catalogue))})
        return 0
    if args.command == "export-lookups":
        _emit({"written": str(export_lookups(args.path, catalogue))})
        return 0
    if args.command == "review":
        report = review(catalogue, args.on or reference_date(), args.horizon_days)
        if args.json:
            _emit(report.to_dict())
        else:
            sys.stdout.write(render_review_text(report))
        return 0
    on = args.date or reference_date()
    if args.command == "search":
        results = SearchIndex(catalogue).search(args.query, limit=args.limit, on=on)
        _emit({"query": args.query, "date": on, "results": [r.to_dict() for r in results]})
        return 0
    if args.command == "show":
        if args.policy_id not in catalogue.policies:
            raise UnknownPolicyError(args.policy_id)
        policy = catalogue.policies[args.policy_id]
        _emit(
            {
                "policy": dataclasses.asdict(policy),
                "freshness": freshness(policy, on, catalogue).to_dict(),
                "card": render_policy_card(policy, catalogue, on),
            }
        )
        return 0
    if args.command == "check":
        from .eligibility import check_all, check_policy

        try:
            raw = json.loads(args.profile.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise KnowledgeBaseError(f"{args.profile} 不是有效的 JSON / is not valid JSON: {exc}") from None
        profile = ApplicantProfile.from_dict(raw, catalogue.vocabulary, set(catalogue.policies))
        if args.policy:
            if args.policy not in catalogue.policies:
                raise UnknownPolicyError(args.policy)
            results = [check_policy(catalogue.policies[args.policy], profile, on, catalogue)]
        else:
            results = check_all(profile, on, catalogue)
        _emit(
            {
                "date": on,
                "profile": profile.to_dict(),
                "results": [dict(r.to_dict(), text=render_check_result(r)) for r in results],
            }
        )
        return 0
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return run(args)
    except DataValidationError as exc:
        print(str(exc), file=sys.stderr)
    except ProfileError as exc:
        print(
            "\n".join(["申请人信息有误 / invalid profile:", *(f"  - {m}" for m in exc.messages)]),
            file=sys.stderr,
        )
    except (KnowledgeBaseError, KeyError) as exc:
        print(f"错误 / error: {exc}", file=sys.stderr)
    except FileNotFoundError as exc:
        print(f"找不到文件 / file not found: {exc.filename}", file=sys.stderr)
    except OSError as exc:
        print(f"文件读写失败 / I/O error: {exc}", file=sys.stderr)
    except SQLAlchemyError as exc:
        print(f"数据库错误 / database error: {str(exc).splitlines()[0]}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
