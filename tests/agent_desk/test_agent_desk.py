"""agent_desk on SQLite and PostgreSQL: accounts, hashed passwords and tokens, expiry, the
unanswered-questions log (masked, grouped), migrations with their own version table, the CLI."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from agent_desk import (
    AgentDesk,
    AuthenticationError,
    DuplicateUserError,
    InvalidInputError,
    mask_personal_data,
    normalise_question,
    record_unanswered,
    shared_desk,
)
from agent_desk.passwords import hash_password, verify_password


@pytest.fixture()
def desk(database_url: str):
    opened = AgentDesk.open(database_url, reuse=False)
    yield opened
    opened.engine.dispose()


def test_passwords_are_salted_scrypt_hashes() -> None:
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first.startswith("scrypt$") and first != second
    assert verify_password("correct horse", first)
    assert not verify_password("wrong horse", first)
    assert not verify_password("correct horse", "garbage")


def test_accounts_and_tokens(desk: AgentDesk, database_url: str) -> None:
    admin = desk.create_user("admin", "admin", "admin-password-1")
    assert admin.is_admin
    with pytest.raises(DuplicateUserError):
        desk.create_user("admin", "agent", "another-password")
    for name, role, password in [
        ("张三", "agent", "long-enough-1"),
        ("ok", "boss", "long-enough-1"),
        ("ok", "agent", "short"),
    ]:
        with pytest.raises(InvalidInputError) as error:
            desk.create_user(name, role, password)
        assert error.value.user_message
    with pytest.raises(AuthenticationError) as error:
        desk.login("admin", "wrong-password")
    assert error.value.user_message == "用户名或密码错误。"
    with pytest.raises(AuthenticationError):
        desk.login("nobody", "admin-password-1")

    issued = desk.login("admin", "admin-password-1")
    assert desk.user_for_token(issued.token).name == "admin"
    assert issued.token not in repr(issued)
    with desk.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT token_hash FROM agent_desk_tokens")).scalars().all()
        password_hash = conn.execute(sa.text("SELECT password_hash FROM agent_desk_users")).scalar_one()
    assert issued.token not in stored and len(stored[0]) == 64
    assert "admin-password-1" not in password_hash

    expired = desk.issue_token(admin, hours=-0.1)
    assert desk.user_for_token(expired.token) is None
    assert desk.user_for_token("") is None and desk.user_for_token("x" * 500) is None
    desk.logout(issued.token)
    assert desk.user_for_token(issued.token) is None

    other = desk.login("admin", "admin-password-1")
    desk.set_password("admin", "new-password-99")
    assert desk.user_for_token(other.token) is None, "a new password ends old sessions"
    assert desk.login("admin", "new-password-99").agent.name == "admin"


def test_personal_data_is_masked_and_questions_grouped(desk: AgentDesk) -> None:
    assert mask_personal_data("电话13800138000或 +86 139-0013-9000") == "电话138****8000或 139****9000"
    assert (
        mask_personal_data("身份证310101199001011234，邮箱a.b@example.com")
        == "身份证******************，邮箱***@***"
    )
    assert "62220212345678901" not in mask_personal_data("卡号62220212345678901")
    assert normalise_question("您好，请问 灵活就业补贴怎么退？") == normalise_question("灵活就业补贴怎么退吗")

    now = datetime.now(timezone.utc)
    desk.record_unanswered("请问灵活就业补贴怎么退？", "wechat", when=now - timedelta(days=40))
    desk.record_unanswered("灵活就业补贴 怎么退", "web", when=now - timedelta(days=1))
    desk.record_unanswered("灵活就业补贴怎么退？我手机13800138000", "wechat")
    desk.record_unanswered("外籍人士能申请吗", "web")
    assert desk.record_unanswered("？？ ！", "web") is None
    with pytest.raises(InvalidInputError):
        desk.record_unanswered("x", "bad channel!")

    groups = desk.unanswered_groups()
    top = groups[0]
    assert (top.normalised, top.count, top.channels) == ("灵活就业补贴怎么退", 2, ("web", "wechat"))
    masked = next(g for g in groups if "手机" in g.example)
    assert masked.example.endswith("138****8000")
    recent = desk.unanswered_groups(since=now - timedelta(days=7))
    assert recent[0].count == 1
    assert [g.normalised for g in desk.unanswered_groups(search="外籍")] == ["外籍人士能申请"]
    assert desk.unanswered_total() == 4
    with desk.engine.connect() as conn:
        texts = " ".join(conn.execute(sa.text("SELECT text FROM agent_desk_unanswered")).scalars())
    assert "13800138000" not in texts


def test_record_unanswered_uses_database_url(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    row_id = record_unanswered("创业补贴到账要多久？", "rest")
    assert row_id is not None
    desk = AgentDesk.open(database_url)
    assert desk.unanswered_groups()[0].example == "创业补贴到账要多久？"
    shared_desk.cache_clear()
    desk.engine.dispose()


def test_own_alembic_version_table(desk: AgentDesk) -> None:
    inspector = sa.inspect(desk.engine)
    tables = set(inspector.get_table_names())
    assert {
        "agent_desk_users",
        "agent_desk_tokens",
        "agent_desk_unanswered",
        "agent_desk_alembic_version",
    } <= tables
    assert "alembic_version" not in tables
    AgentDesk(desk.engine)  # migrating again is a no-op
    from agent_desk.db import migrate

    migrate(desk.engine)


def test_cli_create_user_from_stdin(database_url: str) -> None:
    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "agent_desk", "--database-url", database_url, *args],
            input=stdin, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    created = run("create-user", "zhao", "--role", "admin", "--password-stdin", stdin="a-good-password\n")
    assert created.returncode == 0, created.stderr
    assert "已创建账号 zhao" in created.stdout
    duplicate = run("create-user", "zhao", "--password-stdin", stdin="a-good-password\n")
    assert duplicate.returncode == 1 and "已存在" in duplicate.stderr
    short = run("create-user", "qian", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "密码长度" in short.stderr
    listed = run("users")
    assert '"zhao"' in listed.stdout and "scrypt" not in listed.stdout
    policy = run("create-user", "zhou", "--role", "policy", "--password-stdin", stdin="a-good-password\n")
    assert policy.returncode == 0 and "已创建账号 zhou（policy）" in policy.stdout, policy.stderr
    desk = AgentDesk.open(database_url, reuse=False)
    assert desk.login("zhao", "a-good-password").agent.role == "admin"
    team = desk.login("zhou", "a-good-password").agent
    assert team.role == "policy" and team.reviews_policies and not team.serves_callers and not team.is_admin
    assert team.to_dict()["role_label"] == "政策组"
    desk.engine.dispose()
