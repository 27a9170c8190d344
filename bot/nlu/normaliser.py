"""Rasa component that normalises the text of every message before tokenisation."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.message_kind import EMPTY_TEXT
from zh.normalise import normalise

# Longer messages are cut before NLU: nobody asks a policy question in more than this, and the
# cost of featurising a pasted document would be paid by every other user of the worker.
MAX_MESSAGE_CHARS = 500


# Registered as a tokenizer-type component so that the default recipe runs it in the preprocessing
# chain, before the real tokenizer, at training and at prediction time alike.
@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormaliser(GraphComponent):
    """Applies `normalise` to the TEXT attribute of each message."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormaliser:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Training examples are written in simplified Chinese already; normalising them too keeps
        # training and prediction features identical (e.g. full-width digits in examples).
        for message in training_data.training_examples:
            self._normalise(message)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message, MAX_MESSAGE_CHARS)
        return messages

    @staticmethod
    def _normalise(message: Message, max_chars: int | None = None) -> None:
        text = message.get(TEXT)
        predicting = max_chars is not None
        if not text and not (predicting and text is not None):
            return
        normalised = normalise(text)[:max_chars]
        if predicting and not normalised.strip():
            # Only spaces (half- or full-width): an empty text has no tokens, hence no features, and
            # the intent classifier fails on it, so the message got no reply at all. A fixed word
            # instead, which MessageKindClassifier routes to the "please ask your question" prompt.
            normalised = EMPTY_TEXT
        if normalised == text:
            return
        entities = message.get(ENTITIES) or []
        if not entities:
            message.set(TEXT, normalised)
        elif len(normalised) == len(text):
            # Same length, so annotation offsets still hold. An annotated value that is just the
            # span's text (怎麼申請) must follow the text, or it would become a synonym target.
            for entity in entities:
                start, end = entity.get("start"), entity.get("end")
                if start is not None and entity.get("value") == text[start:end]:
                    entity["value"] = normalised[start:end]
            message.set(TEXT, normalised)
