"""FallbackClassifier thresholds chosen by k-fold cross-validation over the training data.

Run: .venv/bin/python benchmarks/fallback_thresholds.py [--folds 4] [--epochs N] [--holdout-model PATH]

For each fold the pipeline of config.yml is trained (`rasa train nlu`, models under /tmp) on the other
folds, and every example of the left-out fold is parsed. For each example we keep the top intent, its
confidence and the runner-up's confidence (the FallbackClassifier's own prediction is ignored: it is
what is being tuned). Then every (threshold, ambiguity_threshold) pair is replayed exactly as
FallbackClassifier decides: fallback when top < threshold or top - second < ambiguity_threshold.

Reported per pair: the share of WRONG predictions caught by the fallback, and the share of CORRECT
predictions lost to it. The pick maximises the wrong ones caught while losing at most --max-lost of
the correct ones. --epochs lowers DIET's epochs for a faster sweep (confidences then differ from the
served model's; the default keeps config.yml's). --holdout-model only REPORTS how the table's pairs
behave on tests/nlu/holdout.yml with a model trained on all of data/; it never feeds the choice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))

from nlu_eval import train_nlu  # noqa: E402

HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
# From 0.10: LogisticRegressionClassifier spreads probability over 20 intents, so its useful
# thresholds are far lower than DIET's.
THRESHOLDS = [round(0.10 + 0.05 * i, 2) for i in range(17)]  # 0.10 … 0.90
AMBIGUITIES = [0.0, 0.05, 0.1, 0.15, 0.2]


def load(path: Path):  # noqa: ANN201
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path), language="zh")


def fold_config(source: Path, epochs: int | None, target: Path) -> Path:
    from rasa.shared.utils.io import read_yaml_file, write_yaml

    config = read_yaml_file(source)
    if epochs:
        for component in config["pipeline"]:
            if component["name"] == "DIETClassifier":
                component["epochs"] = epochs
    write_yaml(config, target)
    return target


def predict(model: Path, examples: list) -> list[dict]:  # noqa: ANN001
    from rasa.core.agent import Agent
    from rasa.shared.nlu.constants import INTENT, TEXT

    agent = Agent.load(str(model))

    async def parse_all() -> list[dict]:
        rows = []
        for message in examples:
            parsed = await agent.parse_message(message.get(TEXT))
            ranking = sorted(
                (r for r in parsed.get("intent_ranking", []) if r["name"] != "nlu_fallback"),
                key=lambda r: r["confidence"],
                reverse=True,
            )
            rows.append(
                {
                    "text": message.get(TEXT),
                    "intent": message.get(INTENT),
                    "predicted": ranking[0]["name"],
                    "top": round(float(ranking[0]["confidence"]), 4),
                    "second": round(float(ranking[1]["confidence"]), 4) if len(ranking) > 1 else 0.0,
                }
            )
        return rows

    return asyncio.run(parse_all())


def sweep(rows: list[dict]) -> list[dict]:
    correct = [r for r in rows if r["predicted"] == r["intent"]]
    wrong = [r for r in rows if r["predicted"] != r["intent"]]

    def falls_back(r: dict, threshold: float, ambiguity: float) -> bool:
        return r["top"] < threshold or (r["top"] - r["second"]) < ambiguity

    table = []
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITIES:
            caught = sum(falls_back(r, threshold, ambiguity) for r in wrong)
            lost = sum(falls_back(r, threshold, ambiguity) for r in correct)
            table.append(
                {
                    "threshold": threshold,
                    "ambiguity": ambiguity,
                    "wrong_caught": caught / len(wrong) if wrong else 0.0,
                    "correct_lost": lost / len(correct) if correct else 0.0,
                    "caught": caught,
                    "lost": lost,
                    "n_wrong": len(wrong),
                    "n_correct": len(correct),
                }
            )
    return table


def pick(table: list[dict], max_lost: float) -> dict:
    allowed = [row for row in table if row["correct_lost"] <= max_lost]
    if not allowed:  # a badly under-trained model: take the pair that loses least
        return min(table, key=lambda r: (r["correct_lost"], -r["wrong_caught"]))
    return max(
        allowed, key=lambda r: (r["wrong_caught"], -r["correct_lost"], -r["threshold"], -r["ambiguity"])
    )


def markdown(table: list[dict], title: str) -> list[str]:
    lines = [
        f"### {title}",
        "",
        "wrong caught / correct lost, by threshold (rows) and ambiguity_threshold (columns)",
        "",
    ]
    lines.append("| threshold | " + " | ".join(f"amb {a:.2f}" for a in AMBIGUITIES) + " |")
    lines.append("|---|" + "---|" * len(AMBIGUITIES))
    for threshold in THRESHOLDS:
        cells = [
            f"{r['wrong_caught']:.0%} / {r['correct_lost']:.1%}" for r in table if r["threshold"] == threshold
        ]
        lines.append(f"| {threshold:.2f} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--epochs", type=int, help="DIET epochs for the sweep (default: as in config.yml)")
    parser.add_argument(
        "--max-lost", type=float, default=0.05, help="largest share of correct predictions lost"
    )
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument(
        "--holdout-model", type=Path, help="also report the table on the held-out set (not used to pick)"
    )
    parser.add_argument("--report-dir", type=Path, default=PROJECT_ROOT / "docs" / "reports" / "nlu")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    from rasa.utils.log_utils import configure_structlog

    # Agent.parse_message logs every parse at debug level through structlog otherwise.
    configure_structlog(logging.ERROR)
    logging.getLogger("rasa").setLevel(logging.ERROR)

    from rasa.shared.nlu.constants import INTENT
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    started = time.monotonic()
    data = load(PROJECT_ROOT / "data" / "nlu")
    examples = data.intent_examples
    labels = [m.get(INTENT) for m in examples]
    splitter = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="fallback-cv-") as tmp:
        workdir = Path(tmp)
        config = fold_config(args.config, args.epochs, workdir / "config.yml")
        for fold, (train_idx, test_idx) in enumerate(splitter.split(examples, labels), start=1):
            fold_dir = workdir / f"fold{fold}"
            fold_dir.mkdir()
            fold_data = TrainingData(
                training_examples=[examples[i] for i in train_idx],
                entity_synonyms=data.entity_synonyms,
                regex_features=data.regex_features,
                lookup_tables=data.lookup_tables,
            )
            fold_data.persist_nlu(str(fold_dir / "nlu.yml"))
            model = train_nlu(config, fold_dir, workdir, f"fold{fold}")
            fold_rows = predict(model, [examples[i] for i in test_idx])
            wrong = sum(r["predicted"] != r["intent"] for r in fold_rows)
            print(
                f"fold {fold}/{args.folds}: {len(fold_rows)} examples, {wrong} wrong "
                f"({time.monotonic() - started:.0f} s)",
                flush=True,
            )
            rows.extend(fold_rows)

    table = sweep(rows)
    chosen = pick(table, args.max_lost)
    n_wrong = chosen["n_wrong"]
    print(
        f"\n{len(rows)} cross-validated predictions, {n_wrong} wrong "
        f"(CV accuracy {1 - n_wrong / len(rows):.3f})\n"
    )
    lines = markdown(table, f"{args.folds}-fold CV over data/nlu ({len(rows)} examples, {n_wrong} wrong)")
    print("\n".join(lines))
    from rasa.shared.utils.io import read_yaml_file

    fallback = next(c for c in read_yaml_file(args.config)["pipeline"] if c["name"] == "FallbackClassifier")
    configured = (float(fallback.get("threshold", 0.3)), float(fallback.get("ambiguity_threshold", 0.1)))
    current = min(
        table, key=lambda r: abs(r["threshold"] - configured[0]) + abs(r["ambiguity"] - configured[1])
    )
    summary = (
        f"chosen: threshold {chosen['threshold']:.2f}, ambiguity_threshold {chosen['ambiguity']:.2f} -> "
        f"catches {chosen['caught']}/{n_wrong} wrong ({chosen['wrong_caught']:.0%}), "
        f"loses {chosen['lost']}/{chosen['n_correct']} correct ({chosen['correct_lost']:.1%}); "
        f"{args.config.name} today ({configured[0]:.2f} / {configured[1]:.2f}): "
        f"{current['wrong_caught']:.0%} caught, {current['correct_lost']:.1%} lost"
    )
    print(summary)

    holdout_lines: list[str] = []
    if args.holdout_model:
        holdout_rows = predict(args.holdout_model, load(HOLDOUT).intent_examples)
        holdout_table = sweep(holdout_rows)
        same = next(
            r
            for r in holdout_table
            if (r["threshold"], r["ambiguity"]) == (chosen["threshold"], chosen["ambiguity"])
        )
        holdout_lines = markdown(holdout_table, f"held-out set, report only ({len(holdout_rows)} examples)")
        print("\n".join(holdout_lines))
        print(
            f"held-out with the chosen pair: catches {same['caught']}/{same['n_wrong']} wrong, "
            f"loses {same['lost']}/{same['n_correct']} correct"
        )

    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "fallback_sweep.md").write_text(
        "\n".join(
            [
                "# Fallback threshold sweep",
                "",
                "Written by `benchmarks/fallback_thresholds.py " + " ".join(sys.argv[1:]) + "`.",
                "",
                summary,
                "",
                *lines,
                *holdout_lines,
            ]
        )
    )
    (args.report_dir / "fallback_cv_predictions.json").write_text(
        json.dumps(rows, ensure_ascii=False, indent=0) + "\n"
    )
    print(f"total {time.monotonic() - started:.0f} s; written to {args.report_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
