"""Rasa input channels (WeChat 公众号)."""
