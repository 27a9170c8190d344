"""GET /api/console/review, in process on SQLite and PostgreSQL: the policy team and admins get the
review report; agents get 403, visitors 401; the policy team never reaches callers' bookings.

Named test_api_* so it runs before the browser tests: sync Playwright keeps an event loop running
for the session, and pytest-asyncio cannot start one after it."""

from __future__ import annotations

from aiohttp.test_utils import TestClient

from bot.web.services import SERVICES
from tests.web.conftest import ADMIN, AGENT, POLICY, token


async def test_review_report_for_the_policy_team_and_admin(client: TestClient) -> None:
    assert (await client.get("/api/console/review")).status == 401
    agent = await token(client, AGENT)
    refused = await client.get("/api/console/review", headers=agent)
    assert refused.status == 403
    assert "政策组" in (await refused.json())["error"]["message"]

    catalogue = client.server.app[SERVICES].kb.catalogue
    for who in (POLICY, ADMIN):
        headers = await token(client, who)
        me = await (await client.get("/api/me", headers=headers)).json()
        assert me["user"]["role"] == ("policy" if who is POLICY else "admin")
        response = await client.get("/api/console/review?on=2026-12-03", headers=headers)
        assert response.status == 200, await response.text()
        data = await response.json()
        assert data["on"] == "2026-12-03" and data["horizon_days"] == 90
        doc = next(d for d in data["documents"] if d["doc_number"] == "沪人社规〔2022〕8号")
        assert doc["state"] == "ending"
        assert doc["valid_until"] == catalogue.sources["HRSS_2022_8"].valid_until.isoformat()
        names = {d["policy_name"] for d in doc["dependants"]}
        assert catalogue.policies["flexible_employment_si_subsidy_hard_to_employ"].name in names
        assert catalogue.policies["first_business_subsidy"].name in names
        assert "即将到期或已到期的文件" in data["text"]

    headers = await token(client, POLICY)
    ended = await (
        await client.get("/api/console/review?on=2027-01-05&horizon_days=30", headers=headers)
    ).json()
    assert ended["horizon_days"] == 30
    assert next(d for d in ended["documents"] if d["source_id"] == "HRSS_2022_8")["state"] == "ended"
    bad = await client.get("/api/console/review?on=2026-13-40", headers=headers)
    assert bad.status == 400 and "YYYY-MM-DD" in (await bad.json())["error"]["message"]
    # Without ?on the server's reference date is used.
    default = await (await client.get("/api/console/review", headers=headers)).json()
    assert len(default["on"]) == 10


async def test_policy_team_reads_policies_but_not_bookings(client: TestClient) -> None:
    headers = await token(client, POLICY)
    assert (await client.get("/api/policies/search?q=创业补贴", headers=headers)).status == 200
    assert (await client.get("/api/unanswered", headers=headers)).status == 200
    for method, path, body in [
        ("GET", "/api/consultations/options", None),
        ("GET", "/api/consultations/experts?topic=融资", None),
        ("POST", "/api/consultations/bookings/lookup", {"phone": "13800138000"}),
        ("POST", "/api/consultations/bookings", {"slot_id": "x"}),
        ("POST", "/api/consultations/bookings/ABC123/cancel", {"phone": "13800138000"}),
        ("POST", "/api/consultations/callers/forget", {"phone": "13800138000"}),
        ("GET", "/api/users", None),
    ]:
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status == 403, path
    # Agents keep their booking routes.
    agent = await token(client, AGENT)
    assert (await client.get("/api/consultations/options", headers=agent)).status == 200


async def test_admin_creates_a_policy_team_account(client: TestClient) -> None:
    admin = await token(client, ADMIN)
    created = await client.post(
        "/api/users", json={"name": "qian", "role": "policy", "password": "a-long-password"}, headers=admin
    )
    assert created.status == 201
    assert (await created.json())["user"]["role_label"] == "政策组"
