"""The Rasa component that applies zh.normalise to every message (the table is tests/zh/test_normalise.py)."""


def test_training_annotations_follow_the_simplified_text() -> None:
    from rasa.shared.nlu.constants import ENTITIES, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.normaliser import TextNormaliser

    text = "創業擔保貸款怎麼申請"
    message = Message(
        data={TEXT: text, ENTITIES: [{"entity": "aspect", "start": 6, "end": 10, "value": "怎麼申請"}]}
    )
    synonym = Message(
        data={TEXT: "材料", ENTITIES: [{"entity": "aspect", "start": 0, "end": 2, "value": "materials"}]}
    )
    TextNormaliser().process_training_data(TrainingData([message, synonym]))
    assert message.get(TEXT) == "创业担保贷款怎么申请"
    assert message.get(ENTITIES)[0]["value"] == "怎么申请"
    assert synonym.get(ENTITIES)[0]["value"] == "materials"  # a real synonym target is kept
