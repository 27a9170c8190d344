"""Rasa NLU components for Chinese: text normalisation, jieba tokenisation, KB entity extraction.

Importing this package changes nothing in Rasa: the server's patches (bot.speedups and the rest of
bot.launch) are installed explicitly, once, by the launcher.
"""
