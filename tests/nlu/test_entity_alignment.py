"""Every entity annotation starts and ends on a token boundary of the project's own tokenizer.

The pipeline normalises text (`normalise`) and then tokenises it with CleanJiebaTokenizer and
the project's jieba user dictionary. An annotation that cuts a token in half (`[利](aspect)息`, or
an annotation on `额度` when jieba keeps `贷款额度` whole) is silently dropped or misread by Rasa's
entity evaluation and featurisation, so it must fail here, naming the example.
"""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tokenizer import CleanJiebaTokenizer
from tests.nlu.conftest import PROJECT_ROOT
from zh.normalise import normalise


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> CleanJiebaTokenizer:
    config = {
        **CleanJiebaTokenizer.get_default_config(),
        "dictionary_path": str(PROJECT_ROOT / "data" / "jieba_userdict"),
    }
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    return CleanJiebaTokenizer.create(config, storage, Resource("tokenizer"), ExecutionContext(None, "test"))


def misaligned(data: TrainingData, tokenizer: CleanJiebaTokenizer) -> list[str]:
    problems = []
    for message in data.training_examples:
        entities = message.get(ENTITIES) or []
        if not entities:
            continue
        raw = message.get(TEXT)
        text = normalise(raw)
        where = f"{raw!r} ({message.get(INTENT)})"
        if len(text) != len(raw):
            # The normaliser keeps annotated text unnormalised when lengths differ, so training
            # and prediction would see different strings.
            problems.append(f"{where}: normalisation changes the length ({text!r}), offsets cannot hold")
            continue
        tokens = tokenizer.tokenize(Message(data={TEXT: text}), TEXT)
        starts = {t.start for t in tokens}
        ends = {t.end for t in tokens}
        for entity in entities:
            start, end = entity["start"], entity["end"]
            if start not in starts or end not in ends:
                cut = " | ".join(t.text for t in tokens)
                problems.append(
                    f"{where}: {entity['entity']} {text[start:end]!r} [{start}:{end}] "
                    f"is not on token boundaries; tokens: {cut}"
                )
    return problems


def test_training_annotations_align_with_tokens(
    train_nlu: TrainingData, tokenizer: CleanJiebaTokenizer
) -> None:
    problems = misaligned(train_nlu, tokenizer)
    assert not problems, "misaligned entity annotations in data/nlu:\n" + "\n".join(problems)


def test_holdout_annotations_align_with_tokens(
    holdout_nlu: TrainingData, tokenizer: CleanJiebaTokenizer
) -> None:
    problems = misaligned(holdout_nlu, tokenizer)
    assert not problems, "misaligned entity annotations in tests/nlu/holdout.yml:\n" + "\n".join(problems)


def test_a_cut_token_is_reported(tokenizer: CleanJiebaTokenizer) -> None:
    message = Message(
        data={
            TEXT: "创业贷款利息是多少",
            INTENT: "ask_policy",
            ENTITIES: [{"entity": "aspect", "start": 4, "end": 5, "value": "利"}],
        }
    )
    problems = misaligned(TrainingData([message]), tokenizer)
    assert len(problems) == 1 and "创业贷款利息是多少" in problems[0] and "'利'" in problems[0]
