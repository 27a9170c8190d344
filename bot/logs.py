"""One log format for every process: plain lines on a laptop, JSON lines in production.

LOG_FORMAT=text (default) prints `time level logger: message`; LOG_FORMAT=json prints one JSON
object per line with `ts`, `level`, `service`, `logger`, `msg`, any structured fields passed as
`extra=`, and `exc` for exceptions — what a log agent (Loki, ELK, SLS) indexes without parsing.

Both formats pass every record through `PersonalDataFilter`, so personal data (zh.personal_data:
mobiles, ID-card and bank-card numbers, e-mail addresses, long digit runs) or an openid in a query
string cannot reach the log even when a library logs it (a Sanic access line, an exception message
or a Rasa warning quoting user input).
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import sys
from datetime import datetime, timezone
from typing import Any

import settings
from zh.personal_data import mask_personal_data

# "…/site-packages/x.py:12: SADeprecationWarning: …" as logging.captureWarnings formats it.
_LIBRARY_DEPRECATION = re.compile(r"site-packages/[^:]+:\d+: \w*(Deprecation|MovedIn20)\w*Warning:")
_OPENID_IN_QUERY = re.compile(r"(openid=)[^&\s\"']+", re.IGNORECASE)
# Attributes every LogRecord has; anything else was passed with `extra=` and is kept as a field.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


# Rasa's structlog lines quote the user's text JSON-escaped ("\u8bc1310101…"): a digit run glued
# to an escape's hex digits would not be seen as a number of its own, so escapes are read first.
_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)  # a lone surrogate cannot print


def scrub(text: str) -> str:
    """Mask personal data and query-string openids in a log text."""
    if "\\u" in text:
        text = _JSON_ESCAPE.sub(_unescape, text)
    return _OPENID_IN_QUERY.sub(r"\1***", mask_personal_data(text))


class PersonalDataFilter(logging.Filter):
    """Rewrites the record's message with personal data masked (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a library's bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class LibraryDeprecationFilter(logging.Filter):
    """Drops libraries' deprecation warnings (about 14 at every Rasa start): they concern whoever
    upgrades the pins, not operations. Deprecations in the project's own code still show.

    A logging filter rather than a `warnings` filter, because libraries imported by Rasa insert
    their own `warnings` filters ahead of any we add."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "py.warnings" and _LIBRARY_DEPRECATION.search(record.getMessage()))


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "") -> None:
        super().__init__()
        self.service = service or settings.current().service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and key not in entry:
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_text or record.exc_info:
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def log_format() -> str:
    return settings.current().log_format


def logging_config(service: str, fmt: str | None = None, level: str | None = None) -> dict[str, Any]:
    """A logging.config.dictConfig dictionary: one handler on stdout, personal data filtered."""
    fmt = fmt or log_format()
    formatter: dict[str, Any] = (
        {"()": JsonFormatter, "service": service}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "personal_data": {"()": PersonalDataFilter},
            "library_deprecations": {"()": LibraryDeprecationFilter},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": sys.stdout,
                "formatter": "main",
                "filters": ["library_deprecations", "personal_data"],
            }
        },
        "root": {"handlers": ["stdout"], "level": level or settings.current().log_level},
    }


def configure(service: str, fmt: str | None = None, level: str | None = None) -> None:
    """Replace the root logger's handlers with the project's one; Python warnings go there too."""
    logging.config.dictConfig(logging_config(service, fmt, level))
    logging.captureWarnings(True)
    for name in _LIBRARIES_WITH_OWN_HANDLERS:
        _route_to_root(name)


# jieba attaches its own stderr handler when it is imported; its lines should look like the rest.
_LIBRARIES_WITH_OWN_HANDLERS = ("jieba",)


def _route_to_root(module: str) -> None:
    try:
        __import__(module)
    except ImportError:
        return
    library_logger = logging.getLogger(module)
    library_logger.handlers.clear()
    library_logger.propagate = True
    library_logger.setLevel(logging.NOTSET)  # jieba sets DEBUG on itself
