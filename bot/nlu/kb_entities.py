"""Entity extraction from the knowledge base's EntityRuler.

Policy names and aliases, districts, applicant groups, 文号 and amounts are a closed vocabulary that
lives in policies_kb/data. Recognising them with the KB's own recogniser (instead of training DIET
on annotated examples) keeps one source of truth: a new alias in a policy file is understood after a
restart, without new training examples. Values are canonical KB ids.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from policies_kb.catalogue import load_catalogue
from policies_kb.entities import EntityRecognizer

# KB label -> Rasa entity name (declared in domain/policy.yml).
ENTITY_NAMES = {
    "POLICY": "policy",
    "DISTRICT": "district",
    "GROUP": "applicant_group",
    "DOC_NUMBER": "doc_number",
    "AMOUNT": "amount",
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KnowledgeBaseEntityExtractor(GraphComponent):
    """Adds policy / district / applicant_group / doc_number / amount entities with canonical ids."""

    def __init__(self, recognizer: EntityRecognizer) -> None:
        self.recognizer = recognizer

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnowledgeBaseEntityExtractor:
        return cls(EntityRecognizer(load_catalogue()))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {
                    "entity": ENTITY_NAMES[match.label],
                    "value": match.canonical_id,
                    "start": match.start,
                    "end": match.end,
                    "confidence_entity": 1.0,
                    "extractor": self.__class__.__name__,
                }
                for match in self.recognizer.recognize(text)
                if match.label in ENTITY_NAMES and match.canonical_id
            ]
            if found:
                message.set(ENTITIES, [*message.get(ENTITIES, []), *found], add_to_output=True)
        return messages
