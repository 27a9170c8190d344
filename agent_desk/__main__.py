"""Agent-desk CLI.

    python -m agent_desk create-user NAME --role agent|admin|policy [--password-stdin]
    python -m agent_desk set-password NAME [--password-stdin]
    python -m agent_desk deactivate-user NAME          # ends the account's sessions at once
    python -m agent_desk activate-user NAME
    python -m agent_desk end-sessions NAME | --all     # log out everywhere (a lost laptop, a leak)
    python -m agent_desk unlock NAME                   # forget failed logins (the login backoff)
    python -m agent_desk users
    python -m agent_desk unanswered [--days 30] [--limit 50]

Without --password-stdin the password is asked twice at a prompt (not echoed). Options:
--database-url URL (default $DATABASE_URL, then sqlite:///var/haina.db).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from agent_desk.accounts import ROLES
from agent_desk.desk import shared_desk
from agent_desk.errors import AgentDeskError


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise AgentDeskError("passwords differ", "两次输入的密码不一致。")
    return first


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m agent_desk", description="12333 agent accounts and the unanswered log"
    )
    parser.add_argument("--database-url", default=None)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create-user", help="create an agent, admin or policy-team account")
    create.add_argument("name")
    create.add_argument("--role", choices=ROLES, default="agent")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from one line of stdin"
    )
    setpw = sub.add_parser("set-password", help="change a password (ends the user's sessions)")
    setpw.add_argument("name")
    setpw.add_argument("--password-stdin", action="store_true")
    for command, text in (
        ("deactivate-user", "deactivate an account and end its sessions"),
        ("activate-user", "reactivate an account"),
        ("unlock", "forget an account's failed logins"),
    ):
        sub.add_parser(command, help=text).add_argument("name")
    end = sub.add_parser("end-sessions", help="end every session and API token of an account (or --all)")
    who = end.add_mutually_exclusive_group(required=True)
    who.add_argument("name", nargs="?")
    who.add_argument("--all", action="store_true", help="of every account")
    sub.add_parser("users", help="list accounts as JSON")
    unanswered = sub.add_parser("unanswered", help="grouped unanswered questions as JSON")
    unanswered.add_argument("--days", type=int, default=30)
    unanswered.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)

    try:
        desk = shared_desk(args.database_url)
        if args.command == "create-user":
            agent = desk.create_user(args.name, args.role, _read_password(args.password_stdin))
            print(f"已创建账号 {agent.name}（{agent.role}）。")
        elif args.command == "set-password":
            desk.set_password(args.name, _read_password(args.password_stdin))
            print(f"已修改 {args.name} 的密码，原有登录已失效。")
        elif args.command == "deactivate-user":
            ended = desk.set_active(args.name, False)
            print(f"已停用账号 {args.name}，结束了 {ended} 个登录会话。")
        elif args.command == "activate-user":
            desk.set_active(args.name, True)
            print(f"已重新启用账号 {args.name}。")
        elif args.command == "end-sessions":
            ended = desk.end_sessions(None if args.all else args.name)
            print(f"已结束{'所有账号' if args.all else ' ' + args.name + ' '}的 {ended} 个登录会话。")
        elif args.command == "unlock":
            desk.unlock(args.name)
            print(f"已清除 {args.name} 的登录失败记录，可立即重新登录。")
        elif args.command == "users":
            print(json.dumps([a.to_dict() for a in desk.users()], ensure_ascii=False, indent=2))
        else:
            since = datetime.now(timezone.utc) - timedelta(days=args.days)
            groups = desk.unanswered_groups(since=since, limit=args.limit)
            print(json.dumps([g.to_dict() for g in groups], ensure_ascii=False, indent=2))
        return 0
    except AgentDeskError as exc:
        print(f"错误：{exc.user_message}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, EOFError):
        print("\n已取消。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
