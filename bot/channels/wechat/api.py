"""The WeChat server API we need: a shared access_token and customer-service (客服) text messages.

All I/O is aiohttp so nothing blocks Sanic's event loop. The access_token lives in the shared
store: WeChat invalidates the previous token whenever a new one is fetched and caps fetches per
day, so replicas must share one token and only one of them may fetch at a time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import aiohttp

from bot.channels.wechat.store import KeyValueStore

logger = logging.getLogger(__name__)

# 40001 invalid credential, 40014 invalid access_token, 42001 access_token expired.
TOKEN_INVALID_CODES = frozenset({40001, 40014, 42001})
TOKEN_KEY = "token"
TOKEN_LOCK_KEY = "token:lock"
TOKEN_SAFETY_MARGIN = 300  # refresh well before WeChat's expiry
# How long a replica reuses the token it read from the store without asking again. Safe because
# the store drops a token TOKEN_SAFETY_MARGIN s before WeChat does, and WeChat keeps the previous
# token valid for 5 minutes after another replica fetches a new one.
TOKEN_LOCAL_SECONDS = 60.0
_KNOWN_ERRORS = {
    45015: "outside the 48-hour reply window or user unsubscribed",
    45047: "too many customer-service messages without a user reply",
    48001: "API not authorised for this account",
    40164: "server IP not in the account's whitelist",
    40125: "invalid app secret",
}


class WeChatApiError(Exception):
    def __init__(self, errcode: int, what: str) -> None:
        super().__init__(f"{what}: errcode={errcode}")
        self.errcode = errcode


class WeChatApi:
    def __init__(
        self,
        appid: str,
        secret: str,
        base_url: str,
        store: KeyValueStore,
        timeout: float = 10.0,
    ) -> None:
        self._appid = appid
        self._secret = secret
        self._base_url = base_url.rstrip("/")
        self._store = store
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None
        self._local_token: tuple[str, float] | None = None  # (token, loop time to stop using it)

    def _http(self) -> aiohttp.ClientSession:
        # Created lazily: a ClientSession belongs to the loop Sanic runs, not the import-time one.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _fetch_token(self) -> tuple[str, int]:
        params = {"grant_type": "client_credential", "appid": self._appid, "secret": self._secret}
        async with self._http().get(f"{self._base_url}/cgi-bin/token", params=params) as response:
            data = await response.json(content_type=None)
        if "access_token" not in data:
            raise WeChatApiError(int(data.get("errcode", -1)), "access_token fetch failed")
        return str(data["access_token"]), int(data.get("expires_in", 7200))

    async def access_token(self, wait: float = 10.0) -> str:
        """The shared token; if none is cached, exactly one caller (across replicas) fetches it."""
        loop = asyncio.get_running_loop()
        if self._local_token is not None and loop.time() < self._local_token[1]:
            # No store round trip: on a busy replica each await costs a lap of the event loop,
            # and a late answer is already late.
            return self._local_token[0]
        token = await self._shared_token(wait)
        self._local_token = (token, loop.time() + TOKEN_LOCAL_SECONDS)
        return token

    async def _shared_token(self, wait: float) -> str:
        token = await self._store.get(TOKEN_KEY)
        if token:
            return token
        loop = asyncio.get_running_loop()
        give_up = loop.time() + wait
        lock_id = uuid.uuid4().hex
        while True:
            if await self._store.set_nx(TOKEN_LOCK_KEY, lock_id, wait):
                try:
                    # Someone may have stored a token between our miss and taking the lock.
                    token = await self._store.get(TOKEN_KEY)
                    if token:
                        return token
                    token, expires_in = await self._fetch_token()
                    logger.info("WeChat access_token refreshed (expires_in=%s)", expires_in)
                    await self._store.set(TOKEN_KEY, token, max(expires_in - TOKEN_SAFETY_MARGIN, 60))
                    return token
                finally:
                    await self._store.delete_if_equals(TOKEN_LOCK_KEY, lock_id)
            await asyncio.sleep(0.05)
            token = await self._store.get(TOKEN_KEY)
            if token:
                return token
            if loop.time() > give_up:
                raise WeChatApiError(-1, "timed out waiting for another instance to fetch access_token")

    async def invalidate_token(self, token: str) -> None:
        # Only drop the token WeChat rejected, never a newer one stored meanwhile.
        if self._local_token is not None and self._local_token[0] == token:
            self._local_token = None
        await self._store.delete_if_equals(TOKEN_KEY, token)

    async def _post(self, path: str, token: str, payload: dict[str, Any]) -> dict[str, Any]:
        # ensure_ascii=False: WeChat expects UTF-8 Chinese, not \\u escapes.
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        async with self._http().post(
            f"{self._base_url}{path}",
            params={"access_token": token},
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
        ) as response:
            return await response.json(content_type=None)

    async def send_text(self, openid: str, content: str, user_ref: str = "-") -> bool:
        """Send one customer-service text. Errors are logged (without personal data), not raised.

        `user_ref` is the salted hash used in logs instead of the openid.
        """
        payload = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        return await self._send_logged("/cgi-bin/message/custom/send", payload, user_ref)

    async def send_template(self, openid: str, template_id: str, content: str, user_ref: str = "-") -> bool:
        """Send a template message (模板消息), which reaches a follower outside the 48-hour window of
        customer-service messages; the template shows `content` in its {{content.DATA}} field."""
        payload = {"touser": openid, "template_id": template_id, "data": {"content": {"value": content}}}
        return await self._send_logged("/cgi-bin/message/template/send", payload, user_ref)

    async def send(self, path: str, payload: dict[str, Any]) -> None:
        """POST a message; raises WeChatApiError with WeChat's errcode when it is refused (a rejected
        access_token is refreshed and the message sent once more first)."""
        for attempt in (1, 2):
            token = await self.access_token()
            result = await self._post(path, token, payload)
            errcode = int(result.get("errcode", 0) or 0)
            if errcode == 0:
                return
            if errcode in TOKEN_INVALID_CODES and attempt == 1:
                logger.info("WeChat rejected the access_token (errcode=%s); refreshing once", errcode)
                await self.invalidate_token(token)
                continue
            raise WeChatApiError(errcode, _KNOWN_ERRORS.get(errcode, "see WeChat global return codes"))

    async def _send_logged(self, path: str, payload: dict[str, Any], user_ref: str) -> bool:
        try:
            await self.send(path, payload)
            return True
        except WeChatApiError as exc:
            logger.warning("WeChat send failed for user %s: %s", user_ref, exc)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            # The exception text can contain the request URL (with the secret or token): log the type only.
            logger.error("WeChat API request failed for user %s: %s", user_ref, type(exc).__name__)
        return False
