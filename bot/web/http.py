"""JSON helpers and middlewares: every /api error is JSON with a Chinese message, pages get
security headers, and no request can crash the server into a traceback page."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.web.client import is_https

log = logging.getLogger("bot.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

_STATUS_MESSAGES = {
    400: "请求格式有误。",
    401: "请先登录。",
    403: "没有权限执行该操作。",
    404: "没有找到该页面或接口。",
    405: "不支持该请求方法。",
    413: "提交的内容过长。",
    429: "请求过于频繁，请稍后再试。",
}

# Same-origin only, no inline code: the widget and console are plain files under /static.
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


# A year: browsers that once reached the site over https never try plain http for it again.
HSTS = "max-age=31536000; includeSubDomains"


class ApiError(web.HTTPException):
    """Raise from a handler: becomes {"error": {"code", "message"}} with the given status."""

    def __init__(self, status: int, message: str, code: str = "error", details: list[str] | None = None):
        self.status_code = status
        super().__init__()
        self.payload: dict[str, Any] = {"code": code, "message": message}
        if details:
            self.payload["details"] = details


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


def error_response(
    status: int, message: str, code: str = "error", details: list[str] | None = None
) -> web.Response:
    payload: dict[str, Any] = {"code": code, "message": message}
    if details:
        payload["details"] = details
    return json_response({"error": payload}, status)


async def json_body(request: web.Request) -> dict[str, Any]:
    """The request's JSON object, or a 400 with a Chinese message."""
    try:
        data = await request.json(loads=json.loads)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "请求内容应为 JSON 对象。", "bad_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "请求内容应为 JSON 对象。", "bad_json")
    return data


def text_field(
    data: dict[str, Any], name: str, label: str, *, required: bool = True, limit: int = 200
) -> str:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError(400, f"请填写{label}。", "missing_field")
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"{label}格式有误。", "bad_field")
    value = value.strip()
    if len(value) > limit:
        raise ApiError(400, f"{label}过长（最多 {limit} 个字符）。", "bad_field")
    return value


def int_param(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"参数 {name} 应为整数。", "bad_param") from None
    return max(low, min(high, value))


@web.middleware
async def errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    is_api = request.path.startswith("/api/")
    try:
        return await handler(request)
    except ApiError as error:
        return json_response({"error": error.payload}, error.status_code)
    except web.HTTPException as error:
        if not is_api or error.status_code < 400:
            raise
        return error_response(
            error.status_code, _STATUS_MESSAGES.get(error.status_code, "请求失败。"), "http"
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if is_api:
            return error_response(500, "系统内部错误，请稍后重试。如多次出现，请联系管理员。", "internal")
        return web.Response(
            status=500, text="系统内部错误，请稍后重试。", content_type="text/plain", charset="utf-8"
        )


@web.middleware
async def headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
        _secure(request, response)
        raise
    _secure(request, response)
    return response


def _secure(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.path.startswith(("/console", "/api/")):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("X-Frame-Options", "DENY")
    if response.content_type == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    if is_https(request):  # whatever the proxy in front is configured to add
        response.headers.setdefault("Strict-Transport-Security", HSTS)
