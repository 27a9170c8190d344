"""deploy/ cannot run here, so it is checked against what the tests do run: the same entry points as
bot.runtime.service_specs (which the end-to-end and two-replica tests start) and JSON logs."""

from __future__ import annotations

from pathlib import Path

import yaml

from benchmarks.load import build_parser
from bot import runtime

DEPLOY = runtime.PROJECT_ROOT / "deploy"


def entry_point(command: list[str]) -> list[str]:
    """`python -m bot.launch rasa run ...` → ["bot.launch", "rasa", "run"]: module and sub-commands."""
    module_at = command.index("-m") + 1
    words = [command[module_at]]
    for word in command[module_at + 1 :]:
        if word.startswith("-"):
            break
        words.append(word)
    return words


def expected() -> dict[str, list[str]]:
    specs = runtime.service_specs(runtime.Ports(rasa=5005, actions=5055, web=8000, scheduler=5077))
    return {spec.name: entry_point(spec.command) for spec in specs}


def test_compose_services_start_what_the_tests_start() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    for name, words in expected().items():
        assert entry_point(compose["services"][name]["command"]) == words, name
    assert compose["x-app"]["environment"]["LOG_FORMAT"] == "json"


def test_kubernetes_deployments_start_what_the_tests_start() -> None:
    found: dict[str, list[str]] = {}
    for path in (DEPLOY / "k8s").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "Deployment":
                continue
            for container in doc["spec"]["template"]["spec"]["containers"]:
                found[container["name"]] = entry_point(container["command"])
    for name, words in expected().items():
        assert found.get(name) == words, name
    config = next(
        doc
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "config.yaml").read_text(encoding="utf-8"))
        if doc and doc.get("kind") == "ConfigMap"
    )
    assert config["data"]["LOG_FORMAT"] == "json"


def test_env_example_documents_the_log_settings() -> None:
    text = Path(runtime.PROJECT_ROOT / ".env.example").read_text(encoding="utf-8")
    assert "LOG_FORMAT=text" in text and "LOG_LEVEL=INFO" in text


def test_the_load_balancers_spread_by_load_as_the_benchmark_measures() -> None:
    """benchmarks/load.py defaults to --balance least-conn because production balances by load."""
    nginx = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    rasa_upstream = next(line for line in nginx.splitlines() if line.strip().startswith("upstream rasa "))
    assert "least_conn;" in rasa_upstream
    ingress = yaml.safe_load((DEPLOY / "k8s" / "ingress.yaml").read_text(encoding="utf-8"))
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/load-balance"] == "ewma"
    assert build_parser().get_default("balance") == "least-conn"
