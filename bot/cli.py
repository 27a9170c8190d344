"""Developer commands: prepare the database, train when needed, serve everything, run the tests.

python -m bot.cli serve      # database + model + Rasa server + action server + web pages
python -m bot.cli train      # train only if training data or config changed (--force to retrain)
python -m bot.cli setup-db   # create/migrate and seed the database
python -m bot.cli generate   # regenerate NLU files derived from the knowledge base
python -m bot.cli test       # lint + the whole pytest suite
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from dotenv import load_dotenv

from bot import runtime


def _cmd_setup_db(_: argparse.Namespace) -> int:
    runtime.setup_database()
    return 0


def _cmd_generate(_: argparse.Namespace) -> int:
    for path in runtime.generate_kb_derived_files():
        print(f"已生成 {path.relative_to(runtime.PROJECT_ROOT)}")
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    runtime.ensure_model(force=args.force)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    specs = runtime.service_specs(runtime.Ports.from_env())
    runtime.check_ports_free(specs)  # before minutes of training, not after
    runtime.setup_database()
    runtime.ensure_model()
    return runtime.Supervisor(specs).run()


def _cmd_test(args: argparse.Namespace) -> int:
    started = time.monotonic()
    steps: list[tuple[str, list[str]]] = [
        ("代码检查 ruff", [sys.executable, "-m", "ruff", "check", "."]),
        ("代码格式 ruff format", [sys.executable, "-m", "ruff", "format", "--check", "."]),
        ("依赖方向 import-linter", [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"]),
        ("测试 pytest", [sys.executable, "-m", "pytest", *args.pytest_args]),
    ]
    for title, command in steps:
        shown = command[1:] if command[0] == sys.executable else [Path(command[0]).name, *command[1:]]
        print(f"\n==> {title}: {' '.join(shown)}", flush=True)
        result = subprocess.run(command, cwd=runtime.PROJECT_ROOT, env=runtime.child_env())
        if result.returncode != 0:
            print(f"\n✗ {title} 失败（退出码 {result.returncode}）", flush=True)
            return result.returncode
    print(f"\n✓ 全部通过，用时 {time.monotonic() - started:.0f} 秒", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    os.chdir(runtime.PROJECT_ROOT)
    # Settings from .env (git-ignored) without overriding what the shell already exports.
    load_dotenv(runtime.PROJECT_ROOT / ".env", override=False)
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description="海纳百创政策助手开发命令")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("setup-db", help="create, migrate and seed the database").set_defaults(func=_cmd_setup_db)
    sub.add_parser("generate", help="regenerate NLU files derived from the KB").set_defaults(
        func=_cmd_generate
    )
    train = sub.add_parser("train", help="train the model if training data or config changed")
    train.add_argument("--force", action="store_true", help="retrain even if nothing changed")
    train.set_defaults(func=_cmd_train)
    sub.add_parser("serve", help="run everything until Ctrl-C").set_defaults(func=_cmd_serve)
    test = sub.add_parser("test", help="lint and run the whole test suite")
    test.add_argument("pytest_args", nargs=argparse.REMAINDER, help="extra arguments for pytest")
    test.set_defaults(func=_cmd_test)
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except runtime.SetupError as error:
        print(f"\n✗ {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
