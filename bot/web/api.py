"""The console's JSON API under /api. Every route needs a token (bearer header, or the console's
session cookie); admin-only routes are checked here on the server, whatever the page shows."""

from __future__ import annotations

import asyncio
import functools
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from agent_desk import AgentDeskError, LoginThrottledError
from bot.web import presenters
from bot.web.auth import (
    admin_required,
    caller_service_required,
    current_agent,
    end_session,
    log_in,
    login_required,
    policy_team_required,
)
from bot.web.http import ApiError, error_response, int_param, json_body, json_response, text_field
from bot.web.services import services
from consultations import AREAS, DISTRICTS, BookingError, ConsultationError, normalise_phone
from policies_kb import ProfileError, UnknownPolicyError, reference_date
from policies_kb.review import DEFAULT_HORIZON_DAYS, render_review_text, review

routes = web.RouteTableDef()
MAX_QUERY_CHARS = 200


# ------------------------------------------------------------------ auth


@routes.post("/api/auth/login")
async def login(request: web.Request) -> web.Response:
    """{name, password} -> {token, expires_at, user}: a bearer token for scripts and integrations."""
    data = await json_body(request)
    name = text_field(data, "name", "用户名", limit=64)
    password = data.get("password")
    if not isinstance(password, str) or not password:
        raise ApiError(400, "请填写密码。", "missing_field")
    try:
        issued = await log_in(request, name, password, "api")
    except LoginThrottledError as error:
        response = error_response(429, error.user_message, "throttled")
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except AgentDeskError as error:
        raise ApiError(401, error.user_message, "bad_credentials") from None
    return json_response(
        {
            "token": issued.token,
            "expires_at": issued.expires_at.isoformat() + "Z",
            "user": issued.agent.to_dict(),
        }
    )


@routes.post("/api/auth/logout")
@login_required
async def logout(request: web.Request) -> web.Response:
    """Ends the token the request came with, bearer or console cookie (login_required checked the
    CSRF header for the cookie)."""
    response = json_response({"ok": True})
    await end_session(request, response)
    return response


@routes.get("/api/me")
@login_required
async def me(request: web.Request) -> web.Response:
    agent = await current_agent(request)
    assert agent is not None
    return json_response({"user": agent.to_dict()})


# ------------------------------------------------------------------ knowledge base


@routes.get("/api/policies/search")
@login_required
async def search_policies(request: web.Request) -> web.Response:
    query = request.query.get("q", "").strip()[:MAX_QUERY_CHARS]
    limit = int_param(request, "limit", 10, 1, 50)
    if not query:
        return json_response({"query": "", "results": []})
    kb = services(request).kb
    on = reference_date()
    hits = await asyncio.to_thread(kb.search, query, limit, on)
    return json_response({"query": query, "results": [presenters.search_hit(kb, h, on) for h in hits]})


@routes.get("/api/policies/{policy_id}")
@login_required
async def get_policy(request: web.Request) -> web.Response:
    kb = services(request).kb
    try:
        policy = kb.get(request.match_info["policy_id"])
    except UnknownPolicyError:
        raise ApiError(404, "没有找到这条政策，可能编号有误或已被删除。", "unknown_policy") from None
    return json_response(presenters.policy_detail(kb, policy, reference_date()))


@routes.get("/api/eligibility/fields")
@login_required
async def eligibility_fields(request: web.Request) -> web.Response:
    kb = services(request).kb
    policies = [{"id": p.id, "name": p.name} for p in kb.all() if p.status == "current" and p.eligibility]
    return json_response({"fields": presenters.profile_fields(kb), "policies": policies})


@routes.post("/api/eligibility/check")
@login_required
async def eligibility_check(request: web.Request) -> web.Response:
    """{profile: {field: value}, policy_id?} -> verdicts and a copy-ready answer for the caller."""
    data = await json_body(request)
    raw_profile = data.get("profile", {})
    if not isinstance(raw_profile, dict):
        raise ApiError(400, "申请人信息应为键值对。", "bad_profile")
    kb = services(request).kb
    try:
        profile = kb.profile(raw_profile)
    except ProfileError as error:
        raise ApiError(400, "申请人信息有误，请检查后重试。", "bad_profile", error.messages) from None
    on = reference_date()
    policy_id = data.get("policy_id")
    if policy_id:
        if not isinstance(policy_id, str):
            raise ApiError(400, "政策编号格式有误。", "bad_field")
        try:
            result = await asyncio.to_thread(kb.check, policy_id, profile, on)
        except UnknownPolicyError:
            raise ApiError(404, "没有找到这条政策。", "unknown_policy") from None
        results = [result]
        answer = kb.render_check(result)
    else:
        results = await asyncio.to_thread(kb.check_all, profile, on)
        answer = presenters.check_all_answer(kb, results)
    return json_response(
        {
            "reference_date": on.isoformat(),
            "profile": profile.to_dict(),
            "answer": answer,
            "results": [presenters.check_result(kb, r) for r in results],
        }
    )


@routes.get("/api/console/review")
@policy_team_required
async def policy_review(request: web.Request) -> web.Response:
    """The policy team's review report (policies_kb.review) for ?on=YYYY-MM-DD (default: the
    reference date), flagging what ends within ?horizon_days= (default 90)."""
    raw = request.query.get("on", "").strip()
    try:
        on = date.fromisoformat(raw) if raw else reference_date()
    except ValueError:
        raise ApiError(400, "日期格式应为 YYYY-MM-DD，例如 2026-12-03。", "bad_param") from None
    horizon = int_param(request, "horizon_days", DEFAULT_HORIZON_DAYS, 0, 3650)
    report = await asyncio.to_thread(review, services(request).kb.catalogue, on, horizon)
    return json_response({**report.to_dict(), "text": render_review_text(report)})


# ------------------------------------------------------------------ consultations


def _caller_user_id(data: dict[str, Any]) -> str:
    """Bookings made by phone are stored under "tel:<mobile>"; online ones under the channel's user id."""
    phone = data.get("phone")
    user_id = data.get("user_id")
    if isinstance(phone, str) and phone.strip():
        try:
            return presenters.PHONE_USER_PREFIX + normalise_phone(phone)
        except BookingError as error:
            raise ApiError(400, _error_text(error), "bad_phone") from None
    if isinstance(user_id, str) and user_id.strip():
        if len(user_id.strip()) > 128:
            raise ApiError(400, "用户编号过长。", "bad_field")
        return user_id.strip()
    raise ApiError(400, "请填写来电人的手机号，或线上用户编号。", "missing_field")


BOOKING_DOMAIN = Path(__file__).resolve().parents[2] / "domain" / "booking.yml"


@functools.cache
def _booking_wording() -> dict[str, str]:
    """The booking responses of the bot's domain: the console words the service's errors as the bot does."""
    responses = yaml.safe_load(BOOKING_DOMAIN.read_text(encoding="utf-8"))["responses"]
    return {name: str(variants[0]["text"]) for name, variants in responses.items()}


def _error_text(error: ConsultationError) -> str:
    """The error's response utter_booking_error_<kind>[_<field>] filled with its data."""
    texts = _booking_wording()
    values = {k: "、".join(v) if isinstance(v, (list, tuple)) else v for k, v in error.data.items()}
    for name in (f"utter_booking_error_{error.kind}_{error.field}", f"utter_booking_error_{error.kind}"):
        if name in texts:
            return texts[name].format(**values)
    return texts["utter_booking_service_down"].format(help="")


def _booking_error(error: ConsultationError) -> ApiError:
    status = 404 if type(error).__name__.endswith("NotFoundError") else 409
    if not isinstance(error, BookingError):
        status = 503
    return ApiError(status, _error_text(error), type(error).__name__)


@routes.get("/api/consultations/options")
@caller_service_required
async def consultation_options(request: web.Request) -> web.Response:
    rules = services(request).bookings.rules
    return json_response(
        {
            "areas": list(AREAS),
            "districts": list(DISTRICTS),
            "forms": [
                {"value": "any", "label": "不限"},
                {"value": "in_person", "label": "面对面（门诊/上门）"},
                {"value": "online", "label": "网上咨询"},
            ],
            "cancel_min_hours": rules.cancel_min_hours,
            "horizon_days": rules.horizon_days,
            "notice": rules.notice,
        }
    )


@routes.get("/api/consultations/experts")
@caller_service_required
async def find_experts(request: web.Request) -> web.Response:
    topic = request.query.get("topic", "").strip()
    form = request.query.get("form", "any")
    district = request.query.get("district", "").strip() or None
    if not topic:
        raise ApiError(400, "请选择咨询方向。", "missing_field")
    if form not in ("any", "online", "in_person"):
        raise ApiError(400, "咨询形式只能是 不限、面对面 或 网上。", "bad_param")
    service = services(request).bookings
    try:
        matches = await asyncio.to_thread(service.find_experts, topic, form, district, slots_per_expert=3)
        records = await asyncio.to_thread(lambda: [service.service_record(m.expert.id) for m in matches])
    except ConsultationError as error:
        raise _booking_error(error) from None
    experts = [presenters.expert_match_json(m, r) for m, r in zip(matches, records, strict=True)]
    return json_response({"experts": experts})


@routes.get("/api/consultations/experts/{expert_id}/slots")
@caller_service_required
async def expert_slots(request: web.Request) -> web.Response:
    service = services(request).bookings
    expert_id = request.match_info["expert_id"]
    if service.expert(expert_id) is None:
        raise ApiError(404, "没有找到这位专家。", "unknown_expert")
    slots = await asyncio.to_thread(service.expert_slots, expert_id)
    return json_response({"slots": [presenters.slot_json(s) for s in slots]})


@routes.post("/api/consultations/bookings")
@caller_service_required
async def book(request: web.Request) -> web.Response:
    """Book for a caller: {slot_id, name, phone, topic, stage, request_id?}; request_id makes a
    double-click or a retried request book once."""
    data = await json_body(request)
    service = services(request).bookings
    slot_id = text_field(data, "slot_id", "咨询时段", limit=64)
    name = text_field(data, "name", "来电人称呼", limit=50)
    phone = text_field(data, "phone", "来电人手机号", limit=32)
    topic = text_field(data, "topic", "咨询方向", limit=50)
    stage = text_field(data, "stage", "创业阶段", required=False, limit=50) or "未说明"
    request_id = text_field(data, "request_id", "请求编号", required=False, limit=64) or uuid.uuid4().hex
    user_id = _caller_user_id({"phone": phone})
    try:
        booking = await asyncio.to_thread(
            lambda: service.book(
                user_id=user_id,
                slot_id=slot_id,
                name=name,
                phone=phone,
                topic=topic,
                stage=stage,
                idempotency_key=f"console:{request_id}",
            )
        )
    except ConsultationError as error:
        raise _booking_error(error) from None
    return json_response({"booking": presenters.booking_json(booking, service.rules.cancel_min_hours)}, 201)


@routes.post("/api/consultations/bookings/lookup")
@caller_service_required
async def list_bookings(request: web.Request) -> web.Response:
    """{phone} (bookings made by phone) or {user_id} (online user); all: true adds past and
    cancelled ones. POST, so phone numbers never appear in URLs or proxy logs."""
    data = await json_body(request)
    include_all = data.get("all") is True
    service = services(request).bookings
    phone = data.get("phone")
    if isinstance(phone, str) and phone.strip():
        # By phone an agent finds the caller's bookings from every channel (WeChat, web, console).
        try:
            found = await asyncio.to_thread(
                lambda: service.bookings_for_phone(
                    phone, include_past=include_all, include_cancelled=include_all
                )
            )
        except BookingError as error:
            raise ApiError(400, _error_text(error), "bad_phone") from None
    else:
        user_id = _caller_user_id(data)
        found = await asyncio.to_thread(
            lambda: service.bookings(user_id, include_past=include_all, include_cancelled=include_all)
        )
    now = datetime.now(timezone.utc)
    hours = service.rules.cancel_min_hours
    return json_response({"bookings": [presenters.booking_json(b, hours, now) for b in found]})


@routes.post("/api/consultations/bookings/{code}/cancel")
@caller_service_required
async def cancel_booking(request: web.Request) -> web.Response:
    """{phone | user_id}: the caller the booking belongs to (a code alone cancels nothing)."""
    data = await json_body(request)
    user_id = _caller_user_id(data)
    code = request.match_info["code"][:32]
    service = services(request).bookings
    phone = data.get("phone")
    if isinstance(phone, str) and phone.strip():
        # The booking may have been made on WeChat: cancel it for the user it belongs to.
        owned = await asyncio.to_thread(lambda: service.bookings_for_phone(phone, include_cancelled=True))
        owner = next((b.user_id for b in owned if b.code.upper() == code.upper() and b.user_id), None)
        user_id = owner or user_id
    try:
        booking = await asyncio.to_thread(service.cancel, user_id, code)
    except ConsultationError as error:
        raise _booking_error(error) from None
    return json_response({"booking": presenters.booking_json(booking, service.rules.cancel_min_hours)})


@routes.post("/api/consultations/callers/forget")
@admin_required
async def forget_caller(request: web.Request) -> web.Response:
    """Admin only: cancel a caller's upcoming bookings and erase their name and phone."""
    data = await json_body(request)
    user_id = _caller_user_id(data)
    report = await asyncio.to_thread(services(request).bookings.delete_user_data, user_id)
    return json_response({"cancelled": report.cancelled, "anonymised": report.anonymised})


# ------------------------------------------------------------------ unanswered questions


@routes.get("/api/unanswered")
@login_required
async def unanswered(request: web.Request) -> web.Response:
    days = int_param(request, "days", 30, 1, 3650)
    limit = int_param(request, "limit", 100, 1, 500)
    search = request.query.get("q", "").strip()[:MAX_QUERY_CHARS] or None
    since = datetime.now(timezone.utc) - timedelta(days=days)
    desk = services(request).desk
    groups = await asyncio.to_thread(lambda: desk.unanswered_groups(since=since, limit=limit, search=search))
    total = await asyncio.to_thread(desk.unanswered_total, since)
    return json_response({"days": days, "total": total, "groups": [g.to_dict() for g in groups]})


# ------------------------------------------------------------------ accounts (admin)


@routes.get("/api/users")
@admin_required
async def list_users(request: web.Request) -> web.Response:
    users = await asyncio.to_thread(services(request).desk.users)
    return json_response({"users": [u.to_dict() for u in users]})


@routes.post("/api/users")
@admin_required
async def create_user(request: web.Request) -> web.Response:
    data = await json_body(request)
    name = text_field(data, "name", "用户名", limit=64)
    role = text_field(data, "role", "角色", limit=16)
    password = data.get("password")
    if not isinstance(password, str):
        raise ApiError(400, "请填写初始密码。", "missing_field")
    try:
        agent = await asyncio.to_thread(services(request).desk.create_user, name, role, password)
    except AgentDeskError as error:
        raise ApiError(
            409 if type(error).__name__ == "DuplicateUserError" else 400, error.user_message
        ) from None
    return json_response({"user": agent.to_dict()}, 201)


@routes.post("/api/users/{name}/{action:deactivate|activate|end-sessions|unlock}")
@admin_required
async def account_action(request: web.Request) -> web.Response:
    """Admin only: deactivate or reactivate an account, end all its sessions, or forget its failed
    logins. Deactivating and ending sessions take effect on the account's very next request."""
    desk = services(request).desk
    name, action = request.match_info["name"][:64], request.match_info["action"]
    me = await current_agent(request)
    if action == "deactivate" and me is not None and name == me.name:
        raise ApiError(400, "不能停用自己正在使用的账号。", "bad_request")
    operations = {
        "deactivate": lambda: desk.set_active(name, False),
        "activate": lambda: desk.set_active(name, True),
        "end-sessions": lambda: desk.end_sessions(name),
        "unlock": lambda: desk.unlock(name),
    }
    try:
        count = await asyncio.to_thread(operations[action])
    except AgentDeskError as error:
        raise ApiError(404, error.user_message, "unknown_user") from None
    return json_response({"ok": True, "name": name, "count": count})
