"""NLU data fixtures: the training examples under data/nlu and the held-out set, read by Rasa's reader."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from zh.normalise import normalise

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TRAINING_NLU_DIR = PROJECT_ROOT / "data" / "nlu"
HOLDOUT_PATH = PROJECT_ROOT / "tests" / "nlu" / "holdout.yml"


def comparison_key(text: str) -> str:
    """Normalised text without case, punctuation or spaces: `你好！` and `你好` are the same utterance."""
    text = normalise(text).lower()
    return "".join(ch for ch in text if not (ch.isspace() or unicodedata.category(ch).startswith(("P", "S"))))


def training_data() -> TrainingData:
    return load_data(str(TRAINING_NLU_DIR), language="zh")


def holdout_data() -> TrainingData:
    return load_data(str(HOLDOUT_PATH), language="zh")


@pytest.fixture(scope="session")
def train_nlu() -> TrainingData:
    return training_data()


@pytest.fixture(scope="session")
def holdout_nlu() -> TrainingData:
    return holdout_data()
