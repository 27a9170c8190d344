"""Rasa NLU components for Chinese: text normalisation, jieba tokenisation, KB entity extraction."""
