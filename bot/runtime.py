"""What it takes to run the assistant: database, model training on change, and the processes.

Used by the CLI (`python -m bot.cli`) and by the end-to-end tests, so that tests start the servers
exactly the way a developer does.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_ROOT / "var"
# A developer training an experimental model next to the main one can point this elsewhere.
MODELS_DIR = settings.current().models_dir or PROJECT_ROOT / "models"
MODEL_NAME = "haina"
MODEL_PATH = MODELS_DIR / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = MODELS_DIR / f"{MODEL_NAME}.fingerprint.json"

# Everything that changes what `rasa train` produces. Component code is included because the
# tokenizer and normaliser decide the features the model learns from.
TRAINING_INPUTS = ("config.yml", "domain", "data", "bot/nlu", "zh/normalise.py")  # the NLU normaliser


# Rasa and the action servers it starts share this token when ACTION_SERVER_TOKEN is unset: every
# child of one supervisor gets the same value, and it never outlives the run.
_RUN_ACTION_TOKEN = secrets.token_urlsafe(32)


class SetupError(RuntimeError):
    """A step of set-up failed; the message says what to do (in Chinese, for the person at the console)."""


def log(message: str) -> None:
    print(f"[haina] {message}", flush=True)


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for child processes: project importable, TensorFlow quiet, our defaults applied."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("DATABASE_URL", f"sqlite:///{VAR_DIR / 'haina.db'}")
    env.setdefault("TRACKER_STORE_URL", f"sqlite:///{VAR_DIR / 'tracker.db'}")
    env.setdefault("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{env.get('ACTION_PORT', '5055')}/webhook")
    if extra:
        env.update(extra)
    if not env.get("ACTION_SERVER_TOKEN"):
        env["ACTION_SERVER_TOKEN"] = _RUN_ACTION_TOKEN
    if not env.get("WIDGET_SESSION_SECRET"):
        env["WIDGET_SESSION_SECRET"] = local_secret("widget_session")
    return env


def local_secret(name: str) -> str:
    """A random secret kept in var/ (mode 0600), made on first use: widget sessions signed with it
    survive a restart of `make run`. Production sets the variable instead (deploy/)."""
    path = VAR_DIR / f"{name}.secret"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    VAR_DIR.mkdir(exist_ok=True)
    draft = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48))
    try:
        os.link(draft, path)  # atomic and never replaces: a concurrent first start keeps one secret
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii").strip()


# --- database -------------------------------------------------------------------------------


def setup_database(extra_env: dict[str, str] | None = None) -> None:
    """Create or migrate the database and load the data files (a no-op when nothing changed)."""
    VAR_DIR.mkdir(exist_ok=True)
    log("准备数据库（迁移并导入政策知识库）…")
    _run_step([sys.executable, "-m", "policies_kb", "load"], "导入政策知识库失败", extra_env)
    if (PROJECT_ROOT / "consultations" / "__main__.py").exists():
        log("导入专家志愿团与可预约时段…")
        _run_step([sys.executable, "-m", "consultations", "load"], "导入专家数据失败", extra_env)


def _run_step(command: list[str], failure: str, extra_env: dict[str, str] | None = None) -> None:
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env(extra_env))
    if result.returncode != 0:
        raise SetupError(
            f"{failure}：命令 {' '.join(command[1:])} 退出码 {result.returncode}，详见上方输出。"
        )


def generate_kb_derived_files() -> list[Path]:
    """Write the jieba user dictionary and Rasa lookup tables generated from the knowledge base."""
    import policies_kb

    userdict = PROJECT_ROOT / "data" / "jieba_userdict" / "kb_terms.txt"
    lookups = PROJECT_ROOT / "data" / "nlu" / "kb_lookups.yml"
    policies_kb.export_userdict(userdict)
    policies_kb.export_lookups(lookups)
    return [userdict, lookups]


# --- training -------------------------------------------------------------------------------


def training_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(_training_files()):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _training_files() -> Iterable[Path]:
    for name in TRAINING_INPUTS:
        root = PROJECT_ROOT / name
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (
                p
                for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            )


def model_is_current() -> bool:
    if not MODEL_PATH.exists() or not FINGERPRINT_PATH.exists():
        return False
    try:
        recorded = json.loads(FINGERPRINT_PATH.read_text())["fingerprint"]
    except (ValueError, KeyError):
        return False
    return recorded == training_fingerprint()


def ensure_model(force: bool = False) -> Path:
    """Train only when training data, domain, config or NLU components changed."""
    if not force and model_is_current():
        log(f"模型已是最新（{MODEL_PATH}），跳过训练。")
        return MODEL_PATH
    fingerprint = training_fingerprint()
    log("训练数据或配置有变化，开始训练模型（约需几分钟，进度如下）…")
    started = time.monotonic()
    command = [
        sys.executable,
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain",
        "--data",
        "data",
        "--out",
        str(MODELS_DIR),
        "--fixed-model-name",
        MODEL_NAME,
    ]
    result = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env())
    if result.returncode != 0 or not MODEL_PATH.exists():
        raise SetupError("模型训练失败，详见上方 Rasa 输出。")
    FINGERPRINT_PATH.write_text(json.dumps({"fingerprint": fingerprint, "trained_at": time.time()}))
    log(f"模型训练完成，用时 {time.monotonic() - started:.0f} 秒。")
    return MODEL_PATH


# --- processes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000
    scheduler: int | None = None  # None: no reminder scheduler (tests drive it in-process)

    @classmethod
    def from_env(cls) -> Ports:
        config = settings.current()
        return cls(
            rasa=config.rasa_port,
            actions=config.action_port,
            web=config.web_port,
            scheduler=config.scheduler_port,
        )


@dataclass
class ServiceSpec:
    name: str
    command: list[str]
    ready_url: str
    env: dict[str, str] = field(default_factory=dict)
    port: int | None = None
    port_setting: str | None = None  # the environment variable that changes the port


class Stopped(Exception):
    """SIGTERM or SIGHUP arrived: stop the services exactly as on Ctrl-C."""


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError:
            return True
    return False


def check_ports_free(specs: list[ServiceSpec]) -> None:
    """Refuse to start when a port is taken, naming the port and the setting that moves it."""
    taken = [s for s in specs if s.port is not None and port_in_use(s.port)]
    if taken:
        lines = [
            f"端口 {s.port} 已被占用（{s.name}，设置项 {s.port_setting}）：请关闭占用它的程序"
            f"（可能是上一次没有停止的助手），或换一个端口，例如 {s.port_setting}={(s.port or 0) + 1}。"
            for s in taken
        ]
        raise SetupError("\n".join(lines))


def service_specs(ports: Ports, extra_env: dict[str, str] | None = None) -> list[ServiceSpec]:
    env = {
        "ACTION_PORT": str(ports.actions),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        **(extra_env or {}),
    }
    specs = [
        ServiceSpec(
            name="actions",
            command=[
                sys.executable,
                "-m",
                "bot.launch",
                "actions",
                "--actions",
                "actions",
                "--port",
                str(ports.actions),
            ],
            ready_url=f"http://127.0.0.1:{ports.actions}/health",
            env=env,
            port=ports.actions,
            port_setting="ACTION_PORT",
        ),
        ServiceSpec(
            name="rasa",
            command=[
                sys.executable,
                "-m",
                "bot.launch",
                "rasa",
                "run",
                "--model",
                str(MODEL_PATH),
                "--port",
                str(ports.rasa),
                "--endpoints",
                "endpoints.yml",
                "--credentials",
                "credentials.yml",
            ],
            ready_url=f"http://127.0.0.1:{ports.rasa}/webhooks/rest/",
            env=env,
            port=ports.rasa,
            port_setting="RASA_PORT",
        ),
    ]
    if (PROJECT_ROOT / "bot" / "web" / "server.py").exists():
        specs.append(
            ServiceSpec(
                name="web",
                command=[sys.executable, "-m", "bot.web.server", "--port", str(ports.web)],
                ready_url=f"http://127.0.0.1:{ports.web}/healthz",
                env={**env, "RASA_URL": f"http://127.0.0.1:{ports.rasa}"},
                port=ports.web,
                port_setting="WEB_PORT",
            )
        )
    if ports.scheduler is not None:
        specs.append(
            ServiceSpec(
                name="scheduler",
                command=[sys.executable, "-m", "bot.scheduler", "--port", str(ports.scheduler)],
                ready_url=f"http://127.0.0.1:{ports.scheduler}/healthz",
                env=env,
                port=ports.scheduler,
                port_setting="SCHEDULER_PORT",
            )
        )
    return specs


class Supervisor:
    """Starts the services, prefixes their logs, waits until they answer, stops them all on Ctrl-C."""

    def __init__(
        self,
        specs: list[ServiceSpec],
        ready_timeout: float = 240.0,
        echo: bool = True,
        on_line: Callable[[str, str], None] | None = None,
    ):
        self.specs = specs
        self.ready_timeout = ready_timeout
        self.echo = echo
        self.on_line = on_line  # (service name, line): e.g. a benchmark keeping every warning
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.output: dict[str, list[str]] = {}

    def start(self) -> None:
        for spec in self.specs:
            self._start_one(spec)

    def _start_one(self, spec: ServiceSpec) -> None:
        log(f"启动 {spec.name}: {' '.join(spec.command[1:5])} …")
        process = subprocess.Popen(
            spec.command,
            cwd=PROJECT_ROOT,
            env=child_env(spec.env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,  # Ctrl-C reaches us only; we stop children in order
        )
        self.processes[spec.name] = process
        self.output[spec.name] = []
        threading.Thread(target=self._pump, args=(spec.name, process), daemon=True).start()

    def restart(self, name: str) -> None:
        """Stop one service and start it again (used to prove nothing is lost across restarts)."""
        spec = next(s for s in self.specs if s.name == name)
        process = self.processes[name]
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        self._start_one(spec)
        self.wait_until_ready()

    def _pump(self, name: str, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines = self.output[name]
            lines.append(line.rstrip())
            del lines[:-500]
            if self.on_line is not None:
                self.on_line(name, line.rstrip())
            if self.echo:
                print(f"[{name:<7}] {line.rstrip()}", flush=True)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        for spec in self.specs:
            while not _answers(spec.ready_url):
                process = self.processes[spec.name]
                if process.poll() is not None:
                    tail = "\n".join(self.output[spec.name][-30:])
                    raise SetupError(f"{spec.name} 启动失败（退出码 {process.returncode}）：\n{tail}")
                if time.monotonic() > deadline:
                    raise SetupError(
                        f"{spec.name} 在 {self.ready_timeout:.0f} 秒内没有就绪：{spec.ready_url}"
                    )
                time.sleep(0.5)
            log(f"{spec.name} 已就绪：{spec.ready_url}")

    def stop(self, timeout: float = 15.0) -> None:
        for name, process in reversed(list(self.processes.items())):
            if process.poll() is None:
                log(f"停止 {name} …")
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                process.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def run(self) -> int:
        """Run until Ctrl-C, SIGTERM or SIGHUP, or until a service dies; returns the exit code for the CLI."""
        try:
            check_ports_free(self.specs)
        except SetupError as error:
            log(str(error))
            return 1
        previous = {sig: signal.signal(sig, _raise_stopped) for sig in (signal.SIGTERM, signal.SIGHUP)}
        try:
            self.start()
            self.wait_until_ready()
            self._print_banner()
            while True:
                for name, process in self.processes.items():
                    if process.poll() is not None:
                        log(f"{name} 意外退出（退出码 {process.returncode}），停止全部服务。")
                        return 1
                time.sleep(0.5)
        except KeyboardInterrupt:
            log("收到 Ctrl-C，正在停止全部服务 …")
            return 0
        except Stopped as stop:
            log(f"收到 {stop}，正在停止全部服务 …")
            return 0
        except SetupError as error:
            log(str(error))
            return 1
        finally:
            for sig in previous:  # a second signal must not interrupt the stop and orphan a child
                signal.signal(sig, signal.SIG_IGN)
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            log("已全部停止。")

    def _print_banner(self) -> None:
        lines = ["", "海纳百创政策助手已启动："]
        for spec in self.specs:
            lines.append(f"  {spec.name:<8} {spec.ready_url}")
        rasa = next(s for s in self.specs if s.name == "rasa").ready_url.rstrip("/") + "/webhook"
        lines.append(f'  试一试：curl -s -XPOST {rasa} -d \'{{"sender":"u1","message":"你好"}}\'')
        lines.append("  按 Ctrl-C 停止。")
        print("\n".join(lines), flush=True)


def _raise_stopped(signum: int, _frame: object) -> None:
    # make forwards the signal it got too: only the first one counts, the stop runs to its end.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    raise Stopped(signal.Signals(signum).name)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False
