"""Jieba tokenizer without whitespace tokens.

Rasa 3.6's JiebaTokenizer turns every space in mixed Chinese/English text into a token
(`jieba.tokenize("申请 APP")` yields ' '), which breaks DIET training and entity alignment
(RasaHQ/rasa#7910; the fix in PR #13035 was never merged). This subclass drops those tokens.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer that skips whitespace-only tokens."""

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute)
        tokens = [Token(word, start) for (word, start, _end) in jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)
