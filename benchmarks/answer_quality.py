"""Answer quality on the held-out answer set, through the REST channel, one fresh conversation per question.

    .venv/bin/python benchmarks/answer_quality.py --start [--on 2026-12-03] [--json out.json] [--markdown]
    .venv/bin/python benchmarks/answer_quality.py --url http://127.0.0.1:5005/webhooks/rest/webhook

Sends every question of benchmarks/answers/questions.yml (written from the fact sheet and the seed
plan, never from data/nlu: see the file's header) as the first message of a new sender, one at a
time, and scores the reply text (every message of the reply joined; button titles do not count):

- correct: the reply is non-empty, contains every `must_contain` string and none of `must_not_contain`
  ("the first line answers" is judged by these strings; issue #16 targets ≥ 95% of answerable).
  Forbidden strings are not looked for in 来源 (citation) lines, whose document titles may list
  several policies; required strings (a 文号, say) count there too;
- wrong policy: the reply names a policy listed in `must_not_contain`, or its first line names a
  catalogue policy other than `policy`/`also_policies` (for a question without a policy that should
  fall back, any policy) — counted over all questions, target ≤ 1%;
- fallback: the reply names 12333 and says the assistant did not understand / found nothing / the
  sources do not say (FALLBACK_MARKERS). Unhelpful fallback: answerable, fell back, and lacks a
  `must_contain` string (target ≤ 3% of answerable). Good fallback: not answerable, fell back, and
  names no wrong policy (share of the unanswerable questions);
- empty: no text at all (target: none), and p50/p95 latency per request.

--start starts Rasa, the action server and the web server as tests/conftest.py's `assistant` fixture
does (training the model first if it is not current), on free ports against fresh SQLite databases,
with HAINA_REFERENCE_DATE from --on (default: today in Shanghai), and stops them afterwards. Without
--start it uses the server at --url, whose reference date is whatever that server was started with.

Figures are reported, never asserted; the set is never used for training or tuning.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from policies_kb.catalogue import load_catalogue  # noqa: E402

QUESTIONS = PROJECT_ROOT / "benchmarks" / "answers" / "questions.yml"
DEFAULT_URL = "http://127.0.0.1:5005/webhooks/rest/webhook"
WARM_UP = ["你好", "您好，请问在吗", "谢谢"]  # not in the set: lazy imports and first DB reads

# Wording of the assistant's "I don't know" replies (actions/texts.py, domain/conversation.yml) and of
# an honest "the public sources do not say"; a fallback also names 12333.
FALLBACK_MARKERS = (
    "没有听懂",
    "没明白",
    "没有找到",
    "未找到",
    "超出了我能回答的范围",
    "未公布",
    "没有公布",
    "未说明",
    "未写明",
    "无法回答",
    "不能回答",
    "not sure",
    "don't know",
    "do not know",
    "cannot answer",
    "can't answer",
)
HOTLINE = "12333"
CITATION_PREFIX = ("来源：", "来源:", "Source:")


@dataclass
class Result:
    id: str
    category: str
    text: str
    policy: str | None
    answerable: bool
    reply: str = ""
    latency_ms: float = 0.0
    error: str | None = None
    empty: bool = False
    correct: bool = False
    missing: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    first_line: str = ""
    first_line_policies: list[str] = field(default_factory=list)
    wrong_policy: bool = False
    fallback: bool = False
    unhelpful_fallback: bool = False
    good_fallback: bool = False


# ---------------------------------------------------------------- scoring


class PolicyNames:
    """Finds catalogue policy names in text, longest first, so 黄浦创卡一次性创业补贴 is not also 黄浦创卡."""

    def __init__(self) -> None:
        catalogue = load_catalogue()
        variants: dict[str, str] = {}
        for policy in catalogue.policies.values():
            variants[policy.name] = policy.id
            short = policy.name.split("（")[0].strip()  # 开业费补贴（旧政策） is also named 开业费补贴
            if len(short) >= 4:
                variants.setdefault(short, policy.id)
        self.by_name = dict(sorted(variants.items(), key=lambda item: -len(item[0])))

    def find(self, text: str) -> list[str]:
        found: list[str] = []
        for name, policy_id in self.by_name.items():
            if name in text:
                text = text.replace(name, "\0")
                if policy_id not in found:
                    found.append(policy_id)
        return found

    def is_policy_name(self, text: str) -> bool:
        return text in self.by_name


def first_line(reply: str) -> str:
    return next((line.strip() for line in reply.splitlines() if line.strip()), "")


def is_fallback(reply: str) -> bool:
    lowered = reply.lower()
    return HOTLINE in reply and any(marker in lowered for marker in FALLBACK_MARKERS)


def score(question: dict, result: Result, names: PolicyNames) -> None:
    reply = result.reply
    result.empty = not reply.strip()
    result.missing = [s for s in question["must_contain"] if s not in reply]
    # A citation may name a document that covers several policies (官方办事指南转载（…首次创业一次性补贴）):
    # forbidden strings are looked for in the answer, not in its 来源 lines; required ones anywhere.
    answer = "\n".join(line for line in reply.splitlines() if not line.strip().startswith(CITATION_PREFIX))
    result.forbidden = [s for s in question["must_not_contain"] if s in answer]
    result.correct = not result.empty and not result.missing and not result.forbidden
    result.first_line = first_line(reply)
    result.first_line_policies = names.find(result.first_line)
    expected = {question["policy"], *question.get("also_policies", [])} - {None}
    named_forbidden = any(names.is_policy_name(s) for s in result.forbidden)
    if expected:
        other_first = bool(result.first_line_policies) and not set(result.first_line_policies) & expected
    else:  # no policy expected: leading with one is wrong when the right reply is a fallback
        other_first = bool(result.first_line_policies) and not question["answerable"]
    result.wrong_policy = named_forbidden or other_first
    result.fallback = is_fallback(reply)
    result.unhelpful_fallback = question["answerable"] and result.fallback and bool(result.missing)
    result.good_fallback = not question["answerable"] and result.fallback and not result.wrong_policy


# ---------------------------------------------------------------- running


def send(url: str, message: str, timeout: float) -> tuple[float, list[dict]]:
    body = json.dumps({"sender": f"aq-{uuid.uuid4().hex[:12]}", "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        replies = json.loads(response.read())
    return (time.perf_counter() - started) * 1000, replies


def ask(url: str, question: dict, timeout: float, names: PolicyNames) -> Result:
    result = Result(
        question["id"], question["category"], question["text"], question["policy"], question["answerable"]
    )
    started = time.perf_counter()
    try:
        result.latency_ms, replies = send(url, question["text"], timeout)
        result.reply = "\n".join(m.get("text") or "" for m in replies if isinstance(m, dict)).strip()
    except (urllib.error.URLError, OSError, ValueError) as error:
        result.latency_ms = (time.perf_counter() - started) * 1000
        result.error = f"{type(error).__name__}: {error}"
    score(question, result, names)
    return result


def run_all(url: str, questions: list[dict], timeout: float) -> list[Result]:
    names = PolicyNames()
    for message in WARM_UP:
        try:
            send(url, message, timeout)
        except (urllib.error.URLError, OSError) as error:
            sys.exit(f"{url} does not answer ({error}); start the assistant or pass --start")
    results = []
    started = time.monotonic()
    for i, question in enumerate(questions, 1):
        results.append(ask(url, question, timeout, names))
        if i % 25 == 0 or i == len(questions):
            done = sum(r.correct for r in results if r.answerable)
            print(
                f"  [{i:>3}/{len(questions)}] {time.monotonic() - started:>5.0f} s, "
                f"correct so far {done}/{sum(r.answerable for r in results)} answerable",
                file=sys.stderr,
                flush=True,
            )
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def stdout_to_stderr():  # noqa: ANN201
    """Set-up logs (ours and the loaders' subprocesses) go to stderr, so stdout holds only the report."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


@contextlib.contextmanager
def started_assistant(on: date, prefix: str):  # noqa: ANN201
    """The REST webhook URL of an assistant started as tests/conftest.py's `assistant` fixture starts
    it (fresh SQLite databases, free ports), for the duration of the block; set-up logs to stderr."""
    with stdout_to_stderr():
        from bot import runtime

        runtime.ensure_model()
        folder = Path(tempfile.mkdtemp(prefix=prefix))
        env = {
            "DATABASE_URL": f"sqlite:///{folder / 'haina.db'}",
            "TRACKER_STORE_URL": f"sqlite:///{folder / 'tracker.db'}",
            "HAINA_REFERENCE_DATE": on.isoformat(),
        }
        runtime.setup_database(env)
        ports = runtime.Ports(rasa=free_port(), actions=free_port(), web=free_port())
        supervisor = runtime.Supervisor(runtime.service_specs(ports, env), echo=False)
        try:
            supervisor.start()
            supervisor.wait_until_ready()
            yield f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook"
        finally:
            supervisor.stop()


def run_started(questions: list[dict], on: date, timeout: float) -> list[Result]:
    with started_assistant(on, "haina-answer-quality-") as url:
        return run_all(url, questions, timeout)


def rescore(path: Path, questions: list[dict]) -> tuple[list[Result], dict]:
    """The replies saved by --json, scored again against the current labels (no assistant needed)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    by_id = {r["id"]: r for r in saved["results"]}
    names = PolicyNames()
    results = []
    for question in questions:
        old = by_id.get(question["id"])
        if old is None or old["text"] != question["text"]:
            print(f"  {question['id']}: not in {path} (or its text changed), skipped", file=sys.stderr)
            continue
        result = Result(
            question["id"],
            question["category"],
            question["text"],
            question["policy"],
            question["answerable"],
            reply=old["reply"],
            latency_ms=old["latency_ms"],
            error=old["error"],
        )
        score(question, result, names)
        results.append(result)
    return results, {**saved["meta"], "rescored_from": str(path)}


# ---------------------------------------------------------------- reporting


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "–"


def summary(results: list[Result]) -> dict:
    answerable = [r for r in results if r.answerable]
    unanswerable = [r for r in results if not r.answerable]
    latencies = [r.latency_ms for r in results if r.error is None]
    return {
        "questions": len(results),
        "answerable": len(answerable),
        "correct_of_answerable": sum(r.correct for r in answerable),
        "wrong_policy": sum(r.wrong_policy for r in results),
        "unhelpful_fallback": sum(r.unhelpful_fallback for r in answerable),
        "unanswerable": len(unanswerable),
        "good_fallback": sum(r.good_fallback for r in unanswerable),
        "empty": sum(r.empty for r in results),
        "errors": sum(r.error is not None for r in results),
        "p50_ms": round(percentile(latencies, 0.5), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "mean_ms": round(statistics.mean(latencies), 1) if latencies else 0.0,
    }


def headline_rows(s: dict) -> list[tuple[str, str, str]]:
    return [
        ("correct / answerable", ratio(s["correct_of_answerable"], s["answerable"]), "≥ 95%"),
        ("wrong policy (all questions)", ratio(s["wrong_policy"], s["questions"]), "≤ 1%"),
        ("unhelpful fallback (answerable)", ratio(s["unhelpful_fallback"], s["answerable"]), "≤ 3%"),
        ("good fallback (unanswerable)", ratio(s["good_fallback"], s["unanswerable"]), "–"),
        ("empty replies", str(s["empty"]), "0"),
        ("request errors", str(s["errors"]), "0"),
        ("latency p50 / p95", f"{s['p50_ms']:.0f} ms / {s['p95_ms']:.0f} ms", "–"),
    ]


def per_category(results: list[Result]) -> list[tuple]:
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in results:
        groups[r.category].append(r)
    rows = []
    for category, group in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        answerable = [r for r in group if r.answerable]
        unanswerable = [r for r in group if not r.answerable]
        rows.append(
            (
                category,
                len(group),
                f"{sum(r.correct for r in answerable)}/{len(answerable)}",
                sum(r.wrong_policy for r in group),
                sum(r.unhelpful_fallback for r in answerable),
                f"{sum(r.good_fallback for r in unanswerable)}/{len(unanswerable)}",
                sum(r.empty for r in group),
                round(percentile([r.latency_ms for r in group if r.error is None], 0.95)),
            )
        )
    return rows


CATEGORY_HEADER = ("category", "n", "correct", "wrong pol.", "unhelpful fb", "good fb", "empty", "p95 ms")


def width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def clip(text: str, columns: int) -> str:
    text = " ".join(text.split())
    out = ""
    for ch in text:
        if width(out + ch) > columns - 1:
            return out + "…"
        out += ch
    return out


def print_text(s: dict, results: list[Result], meta: dict, failures: int) -> None:
    print(
        f"\nanswer quality: {s['questions']} questions ({s['answerable']} answerable), "
        f"commit {meta['commit']}, reference date {meta['reference_date']}, {meta['url']}"
    )
    for label, value, target in headline_rows(s):
        print(f"  {label:<34}{value:>20}   target {target}")
    print()
    print("".join(f"{h:>13}" if i else f"{h:<20}" for i, h in enumerate(CATEGORY_HEADER)))
    for row in per_category(results):
        print("".join(f"{v!s:>13}" if i else f"{v:<20}" for i, v in enumerate(row)))
    wrong = [r for r in results if (r.answerable and not r.correct) or r.wrong_policy or r.empty]
    if failures and wrong:
        print(
            f"\nfirst {min(failures, len(wrong))} of {len(wrong)} misses (id, question → first line; missing / forbidden):"
        )
        for r in wrong[:failures]:
            why = "; ".join(
                filter(
                    None,
                    [
                        "empty" if r.empty else "",
                        "wrong policy" if r.wrong_policy else "",
                        f"missing {r.missing}" if r.missing else "",
                        f"forbidden {r.forbidden}" if r.forbidden else "",
                    ],
                )
            )
            print(f"  {r.id:<22}{clip(r.text, 30)} → {clip(r.first_line, 40)}  [{why}]")


def print_markdown(s: dict, results: list[Result], meta: dict) -> None:
    print("\n| measure | figure | target (issue #16) |\n|---|---|---|")
    for label, value, target in headline_rows(s):
        print(f"| {label} | {value} | {target} |")
    print("\n| " + " | ".join(CATEGORY_HEADER) + " |\n|" + "---|" * len(CATEGORY_HEADER))
    for row in per_category(results):
        print("| " + " | ".join(str(v) for v in row) + " |")
    print(
        f"\n{s['questions']} questions, commit {meta['commit']}, reference date {meta['reference_date']}, "
        f"run {meta['run_at']}."
    )


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--url", default=DEFAULT_URL, help=f"REST webhook of a running assistant (default {DEFAULT_URL})"
    )
    parser.add_argument(
        "--start", action="store_true", help="start the assistant on free ports and stop it afterwards"
    )
    parser.add_argument(
        "--on", type=date.fromisoformat, help="HAINA_REFERENCE_DATE for --start (default: today)"
    )
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--category", action="append", help="only this category (repeatable)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--json", type=Path, help="write per-question results and the summary here")
    parser.add_argument(
        "--markdown", action="store_true", help="also print the tables as Markdown (docs/reports/)"
    )
    parser.add_argument("--failures", type=int, default=20, help="misses to list (0: none)")
    parser.add_argument(
        "--rescore",
        type=Path,
        metavar="RESULTS_JSON",
        help="score the replies saved by an earlier --json run again, sending nothing",
    )
    args = parser.parse_args()
    if args.on and not args.start:
        parser.error("--on sets the reference date of an assistant this script starts: use it with --start")
    if args.rescore and args.start:
        parser.error("--rescore sends nothing: it cannot be combined with --start")

    questions = yaml.safe_load(args.questions.read_text(encoding="utf-8"))["questions"]
    if args.category:
        questions = [q for q in questions if q["category"] in args.category]
    if args.rescore:
        results, meta = rescore(args.rescore, questions)
        return report(results, meta, args)
    on = args.on or datetime.now(ZoneInfo("Asia/Shanghai")).date()
    meta = {
        "commit": git_commit(),
        "run_at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat(timespec="seconds"),
        "reference_date": on.isoformat() if args.start else "as configured on the server",
        "url": "started by --start" if args.start else args.url,
        "questions_file": str(args.questions),
    }
    print(f"{len(questions)} questions, one fresh sender each, sequential …", file=sys.stderr, flush=True)
    started = time.monotonic()
    results = (
        run_started(questions, on, args.timeout) if args.start else run_all(args.url, questions, args.timeout)
    )
    meta["seconds"] = round(time.monotonic() - started)
    return report(results, meta, args)


def report(results: list[Result], meta: dict, args: argparse.Namespace) -> int:
    s = summary(results)
    print_text(s, results, meta, args.failures)
    if args.markdown:
        print_markdown(s, results, meta)
    if args.json:
        payload = {"meta": meta, "summary": s, "results": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"\nper-question results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
