"""The tokenizer must never emit whitespace tokens and must keep domain terms whole."""

from pathlib import Path

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import CleanJiebaTokenizer

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> CleanJiebaTokenizer:
    config = {
        **CleanJiebaTokenizer.get_default_config(),
        "dictionary_path": str(PROJECT_ROOT / "data" / "jieba_userdict"),
    }
    storage = LocalModelStorage(tmp_path_factory.mktemp("model"))
    return CleanJiebaTokenizer.create(config, storage, Resource("tokenizer"), ExecutionContext(None, "test"))


def tokens(tokenizer: CleanJiebaTokenizer, text: str) -> list[str]:
    return [t.text for t in tokenizer.tokenize(Message(data={TEXT: text}), TEXT)]


def test_no_whitespace_tokens_in_mixed_text(tokenizer: CleanJiebaTokenizer) -> None:
    text = "毕业2年内的大学生 APP 在哪里申请"
    result = tokens(tokenizer, text)
    assert all(t.strip() for t in result)
    assert "APP" in result


def test_token_offsets_match_text(tokenizer: CleanJiebaTokenizer) -> None:
    text = "SYB培训 和 创业担保贷款  有什么区别"
    for token in tokenizer.tokenize(Message(data={TEXT: text}), TEXT):
        assert text[token.start : token.end] == token.text


@pytest.mark.parametrize(
    "term", ["海纳百创", "创业担保贷款", "一次性创业补贴", "浦东新区", "创业指导专家志愿团", "马兰花计划"]
)
def test_domain_terms_stay_whole(tokenizer: CleanJiebaTokenizer, term: str) -> None:
    assert term in tokens(tokenizer, f"请问{term}怎么办")


def test_whitespace_only_message_has_no_tokens(tokenizer: CleanJiebaTokenizer) -> None:
    assert tokens(tokenizer, "   ") == []


def test_loading_the_dictionary_again_keeps_the_segmentation(tmp_path: Path) -> None:
    """Each model load used to add the user dictionary's frequencies to jieba's total again."""
    import jieba

    config = {
        **CleanJiebaTokenizer.get_default_config(),
        "dictionary_path": str(PROJECT_ROOT / "data" / "jieba_userdict"),
    }
    first = CleanJiebaTokenizer.create(
        config, LocalModelStorage(tmp_path / "a"), Resource("t"), ExecutionContext(None, "a")
    )
    total, before = jieba.dt.total, tokens(first, "最高能贷多少钱")
    for attempt in range(5):  # four plain reloads were enough to cut 多少钱 whole
        storage = LocalModelStorage(tmp_path / f"reload-{attempt}")
        again = CleanJiebaTokenizer.create(config, storage, Resource("t"), ExecutionContext(None, "b"))
    assert jieba.dt.total == total
    assert tokens(again, "最高能贷多少钱") == before == ["最高", "能贷", "多少", "钱"]
