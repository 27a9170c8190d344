"""End-to-end tests use the session-wide `assistant` fixture from tests/conftest.py."""
