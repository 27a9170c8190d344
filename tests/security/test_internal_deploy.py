"""Issue #23, item 2, in deploy/ (which cannot run here): only the web server and the WeChat webhook
face the public; Rasa gets no `--cors`; the action servers want the shared token. On 2e069c6 every
deployment started Rasa with `--cors *` and the load balancer served all of Rasa on port 5005."""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from bot import runtime

DEPLOY = runtime.PROJECT_ROOT / "deploy"


def deploy_commands() -> dict[str, list[str]]:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    commands = {f"compose:{n}": s["command"] for n, s in compose["services"].items() if "command" in s}
    for path in (DEPLOY / "k8s").glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc and doc.get("kind") in ("Deployment", "Job"):
                for container in doc["spec"]["template"]["spec"]["containers"]:
                    commands[f"k8s:{container['name']}"] = container["command"]
    return commands


def test_no_deployment_grants_cors_on_rasa() -> None:
    commands = deploy_commands()
    assert {"compose:rasa", "k8s:rasa"} <= set(commands)
    for where, command in commands.items():
        assert "--cors" not in command, where
    for path in (
        DEPLOY / "Dockerfile",
        DEPLOY / "README.md",
        runtime.PROJECT_ROOT / "docs" / "operations.md",
    ):
        assert not re.search(r'"--cors"|--cors \*', path.read_text(encoding="utf-8")), path


def test_compose_publishes_only_the_load_balancer_and_takes_the_secrets_from_its_env_file() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    published = {name for name, s in compose["services"].items() if s.get("ports")}
    assert published == {"lb"}
    assert not any(p.split(":")[-1] == "5005" for p in compose["services"]["lb"]["ports"])
    env = compose["x-app"]["environment"]
    for secret in ("ACTION_SERVER_TOKEN", "WIDGET_SESSION_SECRET"):
        assert env[secret].startswith("${" + secret + ":?"), f"{secret} must come from deploy/.env"


@dataclass
class Block:
    header: str  # "server", "location = /webhooks/rest/webhook", ...
    body: str
    start: int
    end: int

    def inside(self, other: Block) -> bool:
        return other.start < self.start and self.end < other.end


def nginx_blocks(text: str) -> list[Block]:
    """Every `... { ... }` block of an nginx file, comments dropped, nested ones too."""
    text = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    blocks, stack, start = [], [], 0
    for match in re.finditer(r"[{}]", text):
        if match.group() == "{":
            header = text[start : match.start()].split(";")[-1].strip()
            stack.append((header, match.start()))
        else:
            header, opened = stack.pop()
            blocks.append(Block(header, text[opened + 1 : match.start()], opened, match.start()))
        start = match.end()
    return blocks


def test_the_load_balancer_sends_the_public_only_to_the_web_server_and_the_wechat_webhook() -> None:
    blocks = nginx_blocks((DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    servers = [b for b in blocks if b.header == "server"]
    [internal] = [b for b in servers if "listen 5005;" in b.body]
    public = [b for b in servers if b is not internal]  # 80 and 443 are published

    def locations(server: Block) -> dict[str, str]:
        return {b.header: b.body for b in blocks if b.header.startswith("location") and b.inside(server)}

    for server in public:
        outside = locations(server)
        to_rasa = {h for h, body in outside.items() if "proxy_pass http://rasa" in body}
        assert to_rasa <= {"location /webhooks/wechat/"}
        if to_rasa:
            assert "return 404" in outside["location /webhooks/"]
    serving = [locations(s) for s in public if "proxy_pass http://rasa" in s.body]
    assert len(serving) == 1 and "proxy_pass http://web" in serving[0]["location /"]
    # The port only the web server uses (not published): Rasa's REST webhook, POST, nothing else.
    inner = locations(internal)
    assert set(inner) == {"location = /webhooks/rest/webhook", "location /"}
    assert "limit_except POST" in inner["location = /webhooks/rest/webhook"]
    assert "return 404" in inner["location /"]


def test_kubernetes_routes_the_public_to_web_and_wechat_only_and_fences_rasa_and_actions() -> None:
    ingress = yaml.safe_load((DEPLOY / "k8s" / "ingress.yaml").read_text(encoding="utf-8"))
    routes = {
        (p["path"], p["backend"]["service"]["name"])
        for rule in ingress["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    assert routes == {("/webhooks/wechat", "haina-rasa"), ("/", "haina-web")}
    policies = {
        doc["spec"]["podSelector"]["matchLabels"]["app"]: doc["spec"]["ingress"]
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "network-policy.yaml").read_text(encoding="utf-8"))
        if doc and doc["kind"] == "NetworkPolicy"
    }
    [actions_rule] = policies["haina-actions"]
    assert actions_rule["from"] == [{"podSelector": {"matchLabels": {"app": "haina-rasa"}}}]
    [rasa_rule] = policies["haina-rasa"]
    assert {"podSelector": {"matchLabels": {"app": "haina-web"}}} in rasa_rule["from"]
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text(encoding="utf-8"))
    assert "network-policy.yaml" in kustomization["resources"]
    config = next(
        doc
        for doc in yaml.safe_load_all((DEPLOY / "k8s" / "config.yaml").read_text(encoding="utf-8"))
        if doc and doc.get("kind") == "ConfigMap"
    )
    # Secrets live in the Secret, never in the ConfigMap.
    assert not {"ACTION_SERVER_TOKEN", "WIDGET_SESSION_SECRET"} & set(config["data"])
