"""The chat widget's conversation ids: issued and signed by this server, never chosen by the page.

A session token is `<id>.<signature>`: a random id and its HMAC-SHA256 under
WIDGET_SESSION_SECRET. The conversation's sender id is `web:<id>` (consultations/identity.py), so
no token can name another channel's user (`wx:`, `tel:`) or a conversation the server did not
start. The page keeps the token (localStorage) and sends it back in a header; the server answers
a missing or forged one with a new conversation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets

import settings
from consultations.identity import web_user

log = logging.getLogger("bot.web.widget")

HEADER = "X-Haina-Session"
_ID_BYTES = 16
_TOKEN = re.compile(r"([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})")


class SessionSigner:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(b"haina-widget-session|" + secret.encode()).digest()

    @classmethod
    def from_settings(cls) -> SessionSigner:
        configured = settings.current().widget_session_secret
        if configured is None:
            # Sessions then last as long as this process and hold on this replica only.
            log.warning("WIDGET_SESSION_SECRET is not set: widget sessions end when the web server stops")
            return cls(secrets.token_urlsafe(48))
        return cls(configured.get_secret_value())

    def _signature(self, session_id: str) -> str:
        digest = hmac.new(self._key, session_id.encode("ascii"), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")

    def issue(self) -> str:
        session_id = secrets.token_urlsafe(_ID_BYTES)
        return f"{session_id}.{self._signature(session_id)}"

    def session_id(self, token: str | None) -> str | None:
        """The id inside a token this server signed; None for anything else."""
        match = _TOKEN.fullmatch(token or "")
        if match is None:
            return None
        session_id, signature = match.groups()
        if not hmac.compare_digest(signature, self._signature(session_id)):
            return None
        return session_id

    def sender(self, token: str | None) -> tuple[str, str]:
        """(sender id, token to hand back): the token's own conversation, or a new one."""
        session_id = self.session_id(token)
        if session_id is None:
            token = self.issue()
            session_id = token.split(".", 1)[0]
        assert token is not None
        return web_user(session_id), token
