import pytest

from bot.nlu.normalisation import normalise_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("我想申請創業擔保貸款", "我想申请创业担保贷款"),
        ("一次性創業補貼多少錢？", "一次性创业补贴多少钱?"),
        ("贷款３０万可以吗", "贷款30万可以吗"),
        ("ＳＹＢ培训在哪报", "SYB培训在哪报"),
        ("  你好  \n\t 在吗  ", "你好 在吗"),
        ("浦东新区　创业", "浦东新区 创业"),
        ("妳好，在嗎", "你好,在吗"),
        ("", ""),
        (None, ""),
        ("创业担保贷款", "创业担保贷款"),
    ],
)
def test_normalise_text(raw: str | None, expected: str) -> None:
    assert normalise_text(raw) == expected


def test_normalisation_is_idempotent() -> None:
    once = normalise_text("臺灣來滬創業，ＡＰＰ裡怎麼申請？")
    assert normalise_text(once) == once
    assert "APP" in once and "申请" in once


def test_training_annotations_follow_the_simplified_text() -> None:
    from rasa.shared.nlu.constants import ENTITIES, TEXT
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    from bot.nlu.normaliser import TextNormaliser

    text = "創業擔保貸款怎麼申請"
    message = Message(data={TEXT: text, ENTITIES: [{"entity": "aspect", "start": 6, "end": 10, "value": "怎麼申請"}]})
    synonym = Message(data={TEXT: "材料", ENTITIES: [{"entity": "aspect", "start": 0, "end": 2, "value": "materials"}]})
    TextNormaliser().process_training_data(TrainingData([message, synonym]))
    assert message.get(TEXT) == "创业担保贷款怎么申请"
    assert message.get(ENTITIES)[0]["value"] == "怎么申请"
    assert synonym.get(ENTITIES)[0]["value"] == "materials"  # a real synonym target is kept
