"""Rasa NLU components for Chinese: text normalisation, jieba tokenisation, KB entity extraction.

Rasa imports this package in every server process that loads the model, which makes it the place to
install the measured fixes of bot.speedups.
"""

from bot import speedups

speedups.install()
