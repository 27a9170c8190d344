"""The one settings object: environment variables typed, blanks meaning unset, bad values named."""

from __future__ import annotations

from datetime import date

import pytest

import settings


def test_defaults_when_nothing_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RASA_PORT", "HAINA_REFERENCE_DATE", "LOG_FORMAT", "HAINA_TURN_YIELDS", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    config = settings.current()
    assert (config.rasa_port, config.reference_date, config.log_format, config.turn_yields) == (
        5005,
        None,
        "text",
        True,
    )
    assert config.database_url is None


def test_values_are_typed_and_read_on_each_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RASA_PORT", "6005")
    monkeypatch.setenv("HAINA_REFERENCE_DATE", " 2027-01-01 ")
    monkeypatch.setenv("LOG_FORMAT", "JSON")
    monkeypatch.setenv("HAINA_TURN_YIELDS", "0")
    config = settings.current()
    assert (config.rasa_port, config.reference_date, config.log_format, config.turn_yields) == (
        6005,
        date(2027, 1, 1),
        "json",
        False,
    )
    monkeypatch.setenv("RASA_PORT", "")  # blank means unset, as a shell user means it
    assert settings.current().rasa_port == 5005


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HAINA_REFERENCE_DATE", "28.11.2026"),
        ("HAINA_REFERENCE_DATE", "1700000000"),
        ("WEB_PORT", "eighty"),
        ("LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingsError, match=name) as error:
        settings.current()
    assert "无法使用" in str(error.value)
