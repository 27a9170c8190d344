"""The held-out NLU set stays held out: no utterance of it is in the training data, and it covers every intent."""

from __future__ import annotations

from collections import Counter

from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.nlu.conftest import comparison_key

MIN_EXAMPLES_PER_INTENT = 12
MIN_EXAMPLES = 260


def test_no_holdout_utterance_is_a_training_example(
    train_nlu: TrainingData, holdout_nlu: TrainingData
) -> None:
    training = {comparison_key(m.get(TEXT)): m.get(TEXT) for m in train_nlu.intent_examples}
    overlaps = [
        f"{m.get(TEXT)!r} ({m.get(INTENT)}) = training example {training[comparison_key(m.get(TEXT))]!r}"
        for m in holdout_nlu.intent_examples
        if comparison_key(m.get(TEXT)) in training
    ]
    assert not overlaps, "held-out utterances found in training data:\n" + "\n".join(overlaps)


def test_holdout_has_no_duplicates(holdout_nlu: TrainingData) -> None:
    counts = Counter(comparison_key(m.get(TEXT)) for m in holdout_nlu.intent_examples)
    assert [key for key, n in counts.items() if n > 1] == []


def test_holdout_covers_every_training_intent(train_nlu: TrainingData, holdout_nlu: TrainingData) -> None:
    counts = Counter(m.get(INTENT) for m in holdout_nlu.intent_examples)
    too_few = {
        intent: counts[intent] for intent in train_nlu.intents if counts[intent] < MIN_EXAMPLES_PER_INTENT
    }
    assert not too_few, f"intents with fewer than {MIN_EXAMPLES_PER_INTENT} held-out examples: {too_few}"
    assert set(counts) <= set(train_nlu.intents), (
        f"held-out intents unknown to training: {set(counts) - set(train_nlu.intents)}"
    )
    assert sum(counts.values()) >= MIN_EXAMPLES
