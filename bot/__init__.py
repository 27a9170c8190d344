"""Serving side of the 海纳百创 policy assistant: channels, NLU components, web pages, CLI."""
