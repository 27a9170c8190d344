"""Request authentication, safe XML parsing and AES (安全模式) via wechatpy.

Nothing here trusts the body before a signature over it (or over the query) has been checked;
all XML goes through defusedxml with DTDs forbidden, which also rules out entity expansion
("billion laughs") and external entities before wechatpy's xmltodict ever sees the text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from xml.etree.ElementTree import ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.utils import check_signature


class Rejected(Exception):
    """A request that must be refused with `status` before it reaches Rasa."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def verify_query_signature(token: str, args: Mapping[str, str]) -> None:
    """`signature = sha1(sorted(token, timestamp, nonce))`, used by GET and plain/compatible POST."""
    signature, timestamp, nonce = args.get("signature"), args.get("timestamp"), args.get("nonce")
    if not (signature and timestamp and nonce):
        raise Rejected(403, "missing signature parameters")
    try:
        check_signature(token, signature, timestamp, nonce)
    except InvalidSignatureException:
        raise Rejected(403, "invalid signature") from None


def check_timestamp(timestamp: str | None, tolerance: float, now: float | None = None) -> None:
    """Refuse replays: a signed request is only good for `tolerance` seconds either way."""
    try:
        ts = int(timestamp or "")
    except ValueError:
        raise Rejected(403, "invalid timestamp") from None
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        raise Rejected(403, "stale timestamp")


def parse_xml_fields(xml: bytes | str) -> dict[str, str]:
    """Parse a flat WeChat `<xml>` document into {tag: text}, refusing DTDs and entities."""
    try:
        root = SafeET.fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise Rejected(400, "forbidden XML construct") from None
    except (ParseError, ValueError):
        raise Rejected(400, "malformed XML") from None
    if root.tag != "xml":
        raise Rejected(400, "unexpected XML root")
    return {child.tag: (child.text or "") for child in root}


class SafeModeCrypto:
    """wechatpy's WeChatCrypto, fed with the already safely-parsed `Encrypt` field."""

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        self._crypto = WeChatCrypto(token, encoding_aes_key, appid)

    def decrypt(self, encrypt: str, msg_signature: str | None, timestamp: str, nonce: str) -> str:
        if not msg_signature or not encrypt:
            raise Rejected(403, "missing msg_signature or Encrypt")
        try:
            # Passing a dict skips wechatpy's own (unsafe) XML parse; it checks
            # msg_signature before it decrypts and checks the appid after.
            return self._crypto.decrypt_message({"Encrypt": encrypt}, msg_signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Rejected(403, "invalid msg_signature") from None
        except InvalidAppIdException:
            raise Rejected(403, "appid mismatch") from None
        except Exception:  # malformed base64 / padding after a valid signature
            raise Rejected(400, "undecryptable payload") from None

    def encrypt(self, reply_xml: str, nonce: str, timestamp: str | None = None) -> str:
        return self._crypto.encrypt_message(reply_xml, nonce, timestamp)
