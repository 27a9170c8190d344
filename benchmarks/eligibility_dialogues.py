"""Held-out eligibility dialogues through the REST channel, one fresh sender per dialogue (issue #20).

    .venv/bin/python benchmarks/eligibility_dialogues.py --start [--on 2026-11-28] [--json out.json]
    .venv/bin/python benchmarks/eligibility_dialogues.py --url http://127.0.0.1:5005/webhooks/rest/webhook

Sends the user turns of each dialogue of benchmarks/eligibility/dialogues.yml in order until a reply
carries a verdict (a status label of the form's verdict, or the first line of a direct answer to a
yes/no question: 可以/不可以/要看具体情况), then scores it:

- expected verdict: the verdict is the expected `status` and contains every `reasons` substring;
- redundant question: the assistant asked the question of a profile field (policies_kb QUESTIONS)
  whose value the user's earlier turns already stated (read by policies_kb.profile_text).

--start starts the assistant as tests/conftest.py's `assistant` fixture does (see
benchmarks/answer_quality.py); export HAINA_MODELS_DIR to use your own model. Figures are reported,
never asserted; the set is never used for training.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from answer_quality import started_assistant  # noqa: E402

from policies_kb import ELIGIBLE, NEED_MORE_INFO, NOT_ELIGIBLE, QUESTIONS  # noqa: E402
from policies_kb.profile_text import extract_profile  # noqa: E402
from policies_kb.render.checks import CONDITION_HEADS  # noqa: E402
from policies_kb.render.labels import STATUS_LABELS  # noqa: E402

DIALOGUES = ROOT / "benchmarks" / "eligibility" / "dialogues.yml"
VERDICT_MARKERS = {
    "eligible": STATUS_LABELS[ELIGIBLE],
    "not_eligible": STATUS_LABELS[NOT_ELIGIBLE],
    "need_more_info": STATUS_LABELS[NEED_MORE_INFO],
}
CONDITION_MARKERS = {
    "yes": CONDITION_HEADS["met"],
    "no": CONDITION_HEADS["not_met"],
    "depends": CONDITION_HEADS["unknown"],
}

EQUIVALENT = {("not_eligible", "no"), ("no", "not_eligible"), ("eligible", "yes"), ("yes", "eligible")}


@dataclass
class Outcome:
    id: str
    kind: str
    expected: str
    status: str | None = None
    correct: bool = False
    redundant: list[str] = field(default_factory=list)
    turns_sent: int = 0
    verdict: str = ""
    error: str | None = None
    replies: list[str] = field(default_factory=list)


def load(path: Path = DIALOGUES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["dialogues"]


def verdict_status(reply: str) -> str | None:
    first = reply.strip().splitlines()[0] if reply.strip() else ""
    for status, head in CONDITION_MARKERS.items():
        if first.startswith(head):
            return status
    for status, label in VERDICT_MARKERS.items():
        if label in reply:
            return status
    return None


def send(url: str, sender: str, message: str, timeout: float) -> str:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        replies = json.loads(response.read())
    return "\n".join(m.get("text") or "" for m in replies if isinstance(m, dict)).strip()


def run_dialogue(url: str, dialogue: dict, on: date, timeout: float) -> Outcome:
    outcome = Outcome(dialogue["id"], dialogue["kind"], dialogue["status"])
    sender = f"elig-{uuid.uuid4().hex[:12]}"
    said: list[str] = []
    try:
        for turn in dialogue["turns"]:
            reply = send(url, sender, turn, timeout)
            outcome.replies.append(reply)
            said.append(turn)
            outcome.turns_sent += 1
            known = extract_profile("。".join(said[:-1]) + "。" + turn, on)
            for name, question in QUESTIONS.items():
                if question in reply and name in known:
                    outcome.redundant.append(name)
            status = verdict_status(reply)
            if status is not None:
                outcome.status, outcome.verdict = status, reply
                break
    except (urllib.error.URLError, OSError, ValueError) as error:
        outcome.error = f"{type(error).__name__}: {error}"
    # A verdict answers a yes/no question too: 暂不符合 is a "no", 符合 a "yes".
    same = outcome.status == dialogue["status"] or (outcome.status, dialogue["status"]) in EQUIVALENT
    outcome.correct = same and all(r in outcome.verdict for r in dialogue.get("reasons") or [])
    return outcome


def run_all(url: str, dialogues: list[dict], on: date, timeout: float) -> list[Outcome]:
    try:
        send(url, "elig-warm-up", "你好", timeout)
    except (urllib.error.URLError, OSError) as error:
        sys.exit(f"{url} does not answer ({error}); start the assistant or pass --start")
    return [run_dialogue(url, d, on, timeout) for d in dialogues]


def run_started(dialogues: list[dict], on: date, timeout: float) -> list[Outcome]:
    with started_assistant(on, "haina-eligibility-") as url:
        return run_all(url, dialogues, on, timeout)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--start", action="store_true", help="start the assistant and stop it afterwards")
    parser.add_argument("--url", default="http://127.0.0.1:5005/webhooks/rest/webhook")
    parser.add_argument("--on", type=date.fromisoformat, default=date(2026, 11, 28), help="reference date")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--json", type=Path, help="write every outcome here")
    args = parser.parse_args()
    dialogues = load()
    started = time.monotonic()
    if args.start:
        outcomes = run_started(dialogues, args.on, args.timeout)
    else:
        outcomes = run_all(args.url, dialogues, args.on, args.timeout)
    correct = sum(o.correct for o in outcomes)
    redundant = sum(bool(o.redundant) for o in outcomes)
    for o in outcomes:
        if not o.correct or o.redundant:
            print(
                f"  {o.id:<34} expected {o.expected:<15} got {o.status or '-':<15} "
                f"redundant={','.join(o.redundant) or '-'} {o.error or ''}"
            )
            if o.verdict and not o.correct:
                print("      " + o.verdict.replace("\n", " | ")[:300])
    print(f"dialogues: {len(outcomes)} ({time.monotonic() - started:.0f} s)")
    print(f"expected verdict: {correct}/{len(outcomes)} = {100 * correct / len(outcomes):.1f}%")
    print(f"dialogues that asked a question already answered: {redundant}")
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
