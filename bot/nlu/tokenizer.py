"""Jieba tokenizer without whitespace tokens, loading each user dictionary once per process.

Rasa 3.6's JiebaTokenizer turns every space in mixed Chinese/English text into a token
(`jieba.tokenize("申请 APP")` yields ' '), which breaks DIET training and entity alignment
(RasaHQ/rasa#7910; the fix in PR #13035 was never merged). This subclass drops those tokens.

It also loads the user dictionary into jieba's global tokenizer every time a model is loaded.
`jieba.add_word` adds each word's frequency to the global total again, so every reload (a
model pulled from a model server, a second agent in one process) shifts the segmentation the
model was trained on: after four loads '最高能贷多少钱' is cut 最高|能贷|多少钱 instead of
最高|能贷|多少|钱, and entities annotated on the old boundaries are lost. A dictionary whose
content was already loaded is therefore skipped.
"""

from __future__ import annotations

import glob
import hashlib
import logging
from pathlib import Path

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message

logger = logging.getLogger(__name__)

# Content digests of the dictionaries already in jieba's global tokenizer: model storage unpacks
# the same file to a new temporary directory on every load, so the path cannot be the key.
_loaded_dictionaries: set[str] = set()


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=True)
class CleanJiebaTokenizer(JiebaTokenizer):
    """JiebaTokenizer that skips whitespace-only tokens and never loads a dictionary twice."""

    @staticmethod
    def _load_custom_dictionary(path: str) -> None:
        import jieba

        for dictionary in sorted(glob.glob(f"{path}/*")):
            digest = hashlib.sha256(Path(dictionary).read_bytes()).hexdigest()
            if digest in _loaded_dictionaries:
                logger.debug("Jieba user dictionary %s is already loaded", dictionary)
                continue
            logger.info("Loading Jieba user dictionary at %s", dictionary)
            jieba.load_userdict(dictionary)
            _loaded_dictionaries.add(digest)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        import jieba

        text = message.get(attribute)
        tokens = [Token(word, start) for (word, start, _end) in jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)
