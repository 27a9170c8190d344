"""Several Rasa replicas and action servers on this machine, started the way `make run` starts one.

Replica i is a Rasa server on its own port talking to its own action server (in production the
action servers sit behind one service address; pairing them here lets a test see both replicas
work). All replicas share DATABASE_URL, TRACKER_STORE_URL and REDIS_URL, exactly as deploy/
describes. Used by tests/scale and benchmarks/load.py.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import runtime

HEALTH_CHANNEL = "bot.channels.health.HealthInput"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lock_key_prefix() -> str:
    """A unique Redis key prefix for Rasa's lock store (RedisLockStore accepts alphanumerics only)."""
    return f"test{uuid.uuid4().hex[:10]}"


def write_config_files(folder: Path, lock_prefix: str | None) -> tuple[Path, Path]:
    """endpoints.yml with the test's lock-key prefix, credentials.yml with the health channel.

    Both are the project's own files plus only those two additions, so the servers run the same
    configuration as `make run` and production.
    """
    endpoints = yaml.safe_load((runtime.PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    if lock_prefix:
        endpoints.setdefault("lock_store", {})["key_prefix"] = lock_prefix
    credentials = yaml.safe_load((runtime.PROJECT_ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
    credentials.setdefault(HEALTH_CHANNEL, None)
    endpoints_file = folder / "endpoints.yml"
    credentials_file = folder / "credentials.yml"
    # Rasa expands ${VAR} when it reads these files, so the values stay references to the environment.
    endpoints_file.write_text(yaml.safe_dump(endpoints, allow_unicode=True), encoding="utf-8")
    credentials_file.write_text(yaml.safe_dump(credentials, allow_unicode=True), encoding="utf-8")
    return endpoints_file, credentials_file


@dataclass
class Replica:
    index: int
    ports: runtime.Ports

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.rasa}"

    @property
    def rest_url(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    @property
    def wechat_url(self) -> str:
        return f"{self.rasa_url}/webhooks/wechat/webhook"

    @property
    def ready_url(self) -> str:
        return f"{self.rasa_url}/webhooks/health/ready"


@dataclass
class Cluster:
    replicas: list[Replica]
    supervisor: runtime.Supervisor
    env: dict[str, str]
    folder: Path
    extra: dict[str, object] = field(default_factory=dict)

    def pids(self) -> dict[str, int]:
        return {name: p.pid for name, p in self.supervisor.processes.items() if p.poll() is None}

    def stop(self) -> None:
        self.supervisor.stop()


def cluster_env(database_url: str, **extra: str) -> dict[str, str]:
    """Settings every replica shares: one PostgreSQL database (KB, bookings, tracker store), the
    local Redis, and the reference date the tests' expectations are written for."""
    from tests.conftest import REDIS_URL

    return {
        "DATABASE_URL": database_url,
        "TRACKER_STORE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "HAINA_REFERENCE_DATE": "2026-11-28",
        **extra,
    }


def prepare_storage(env: dict[str, str]) -> None:
    """Migrate the app schema, load the KB and create the tracker tables (`python -m bot.ops migrate`)."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.ops", "migrate"], cwd=runtime.PROJECT_ROOT, env=runtime.child_env(env)
    )
    if result.returncode != 0:
        raise runtime.SetupError(f"bot.ops migrate failed with exit code {result.returncode}")


def start_cluster(
    count: int,
    env: dict[str, str],
    lock_prefix: str | None = None,
    echo: bool = False,
    ready_timeout: float = 420.0,
    prepare: bool = True,
    on_line: Callable[[str, str], None] | None = None,
) -> Cluster:
    """Start `count` Rasa servers and `count` action servers; returns when every one is ready."""
    folder = Path(tempfile.mkdtemp(prefix="haina-cluster-"))
    endpoints_file, credentials_file = write_config_files(folder, lock_prefix)
    if prepare:
        prepare_storage(env)
    specs: list[runtime.ServiceSpec] = []
    replicas: list[Replica] = []
    for index in range(count):
        ports = runtime.Ports(rasa=free_port(), actions=free_port(), web=free_port())
        replicas.append(Replica(index, ports))
        for spec in runtime.service_specs(ports, env):
            if spec.name not in ("rasa", "actions"):
                continue
            command = list(spec.command)
            if spec.name == "rasa":
                command[command.index("--endpoints") + 1] = str(endpoints_file)
                command[command.index("--credentials") + 1] = str(credentials_file)
                spec.ready_url = f"http://127.0.0.1:{ports.rasa}/webhooks/health/ready"
            specs.append(runtime.ServiceSpec(f"{spec.name}{index}", command, spec.ready_url, spec.env))
    # Action servers first: a Rasa replica is only useful once its action server answers.
    specs.sort(key=lambda s: not s.name.startswith("actions"))
    supervisor = runtime.Supervisor(specs, ready_timeout=ready_timeout, echo=echo, on_line=on_line)
    try:
        supervisor.start()
        supervisor.wait_until_ready()
    except BaseException:
        supervisor.stop()
        raise
    return Cluster(replicas, supervisor, env, folder)


def get_json(url: str, timeout: float = 10.0) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (psutil when installed, else /proc)."""
    try:
        import psutil  # type: ignore[import-not-found]

        return psutil.Process(pid).memory_info().rss
    except ImportError:
        pass
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return 0
    return 0


def wait_until(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
