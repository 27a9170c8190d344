"""Intent quality on the held-out set: the Rasa pipeline against a TF-IDF + logistic-regression baseline.

Run: .venv/bin/python benchmarks/nlu_eval.py [--model PATH] [--report-dir docs/reports/nlu]

1. Trains the NLU model on data/ (`rasa train nlu --out /tmp/nlu-eval-models`) unless --model is given.
2. Runs `rasa test nlu` on tests/nlu/holdout.yml (full Rasa output, plots included, in --results-dir).
3. Trains a baseline on the SAME training examples: TF-IDF over character 1–3-grams of the normalised
   text plus jieba words (project user dictionary), then logistic regression; evaluates it on the SAME
   held-out set.
4. Prints macro-F1, accuracy and per-intent F1 side by side, and writes to --report-dir:
   intent_report.json (Rasa's), baseline_report.json, confusions.md (every held-out error of both).

Figures are reported, never asserted. The held-out set is never used for training or tuning.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from zh.normalise import normalise  # noqa: E402

HOLDOUT = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"
USERDICT_DIR = PROJECT_ROOT / "data" / "jieba_userdict"
NON_INTENT_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def run(command: list[str]) -> None:
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(
        command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        sys.exit(f"command failed ({result.returncode}):\n{result.stderr[-4000:]}")


def train_nlu(config: Path, data: Path, out: Path, name: str) -> Path:
    """`rasa train nlu` of `data` with `config` into out/<name>.tar.gz (exits on failure)."""
    run(
        [
            sys.executable,
            "-m",
            "rasa",
            "train",
            "nlu",
            "--config",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ]
    )
    return out / f"{name}.tar.gz"


def train_pipeline(models_dir: Path, config: Path, data: Path) -> Path:
    return train_nlu(config, data, models_dir, "nlu-eval")


def test_pipeline(model: Path, results_dir: Path) -> tuple[dict, list[dict]]:
    if results_dir.exists():
        shutil.rmtree(results_dir)
    run(
        [
            sys.executable,
            "-m",
            "rasa",
            "test",
            "nlu",
            "--model",
            str(model),
            "--nlu",
            str(HOLDOUT),
            "--out",
            str(results_dir),
        ]
    )
    report = json.loads((results_dir / "intent_report.json").read_text())
    errors_path = results_dir / "intent_errors.json"
    errors = json.loads(errors_path.read_text()) if errors_path.exists() else []
    return report, [
        {
            "text": e["text"],
            "intent": e["intent"],
            "predicted": e["intent_prediction"]["name"],
            "confidence": round(e["intent_prediction"]["confidence"], 3),
        }
        for e in errors
    ]


def _examples(path: Path) -> tuple[list[str], list[str]]:
    from rasa.shared.nlu.constants import INTENT, TEXT
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(path), language="zh")
    return [m.get(TEXT) for m in data.intent_examples], [m.get(INTENT) for m in data.intent_examples]


def _jieba_words():  # noqa: ANN202
    import jieba

    tokenizer = jieba.Tokenizer()
    for userdict in sorted(USERDICT_DIR.glob("*")):
        tokenizer.load_userdict(str(userdict))

    def words(text: str) -> list[str]:
        return [w for w in tokenizer.lcut(text) if w.strip()]

    return words


def baseline(
    train_texts: list[str], train_labels: list[str], test_texts: list[str]
) -> tuple[list[str], list[float]]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char", ngram_range=(1, 3), preprocessor=normalise, sublinear_tf=True
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    tokenizer=_jieba_words(),
                    preprocessor=normalise,
                    token_pattern=None,
                    lowercase=True,
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    model = make_pipeline(features, LogisticRegression(C=10.0, max_iter=5000))
    model.fit(train_texts, train_labels)
    probabilities = model.predict_proba(test_texts)
    classes = model.classes_
    predicted = [classes[row.argmax()] for row in probabilities]
    return predicted, [float(row.max()) for row in probabilities]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, help="reuse this trained model instead of training one")
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument(
        "--data",
        type=Path,
        default=PROJECT_ROOT / "data",
        help="training data (default data/; its nlu/ folder feeds the baseline)",
    )
    parser.add_argument("--models-dir", type=Path, default=Path("/tmp/nlu-eval-models"))
    parser.add_argument("--results-dir", type=Path, default=Path("/tmp/nlu-eval-results"))
    parser.add_argument("--report-dir", type=Path, default=PROJECT_ROOT / "docs" / "reports" / "nlu")
    args = parser.parse_args()
    if args.models_dir.resolve().is_relative_to(PROJECT_ROOT / "models"):
        sys.exit("refusing to write into models/: the served model lives there")

    from sklearn.metrics import classification_report

    started = time.monotonic()
    model = args.model or train_pipeline(args.models_dir, args.config, args.data)
    trained = time.monotonic()
    report, errors = test_pipeline(model, args.results_dir)

    train_texts, train_labels = _examples(args.data / "nlu")
    test_texts, test_labels = _examples(HOLDOUT)
    predicted, confidences = baseline(train_texts, train_labels, test_texts)
    base_report = classification_report(test_labels, predicted, output_dict=True, zero_division=0)
    base_errors = [
        {"text": t, "intent": gold, "predicted": p, "confidence": round(c, 3)}
        for t, gold, p, c in zip(test_texts, test_labels, predicted, confidences, strict=True)
        if gold != p
    ]

    intents = sorted(k for k in report if k not in NON_INTENT_KEYS)
    print(
        f"\ntraining examples: {len(train_texts)}, held-out examples: {len(test_texts)}, intents: {len(intents)}"
    )
    print(f"{'intent':<20}{'support':>8}{'pipeline F1':>13}{'baseline F1':>13}")
    for intent in intents:
        print(
            f"{intent:<20}{report[intent]['support']:>8}{report[intent]['f1-score']:>13.3f}"
            f"{base_report.get(intent, {}).get('f1-score', 0.0):>13.3f}"
        )
    print(
        f"{'macro-F1':<28}{report['macro avg']['f1-score']:>13.3f}{base_report['macro avg']['f1-score']:>13.3f}"
    )
    print(f"{'accuracy':<28}{report['accuracy']:>13.3f}{base_report['accuracy']:>13.3f}")
    print(f"errors: pipeline {len(errors)}, baseline {len(base_errors)}")
    print(f"training data: {args.data}")
    if not args.model:
        print(f"pipeline training took {trained - started:.0f} s")
    print(f"total {time.monotonic() - started:.0f} s on {platform.system()} {platform.machine()}")

    args.report_dir.mkdir(parents=True, exist_ok=True)
    (args.report_dir / "intent_report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    )
    (args.report_dir / "baseline_report.json").write_text(
        json.dumps(base_report, ensure_ascii=False, indent=2) + "\n"
    )
    lines = [
        "# Held-out errors",
        "",
        "Written by `benchmarks/nlu_eval.py`; gold → predicted (confidence).",
        "",
    ]
    for title, rows in (
        ("Rasa pipeline (config.yml)", errors),
        ("Baseline (TF-IDF + logistic regression)", base_errors),
    ):
        lines += [
            f"## {title}: {len(rows)} errors",
            "",
            "| gold | predicted | conf. | text |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r['intent']} | {r['predicted']} | {r['confidence']:.2f} | {r['text']} |"
            for r in sorted(rows, key=lambda r: (r["intent"], r["predicted"]))
        ]
        lines.append("")
    (args.report_dir / "confusions.md").write_text("\n".join(lines))
    print(f"reports written to {args.report_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
