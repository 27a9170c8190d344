"""The CLI prints JSON, exits non-zero on bad input, and never shows a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURE_DIR
from .test_catalogue import FBS, edit

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "HAINA_REFERENCE_DATE": "2026-11-28", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "policies_kb", *args], cwd=REPO, capture_output=True, text=True, env=full_env,
        timeout=120,
    )  # fmt: skip


def ok(*args: str, env: dict | None = None) -> dict:
    result = cli(*args, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def failed(*args: str, code: int = 1) -> str:
    result = cli(*args)
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr


def test_validate_fixture() -> None:
    out = ok("--data-dir", str(FIXTURE_DIR), "validate")
    assert out["ok"] and out["counts"]["policies"] == 5


def test_validate_bad_data(data_copy: Path) -> None:
    edit(data_copy, FBS, "unit: yuan", "unit: rmb")
    result = cli("--data-dir", str(data_copy), "validate")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    issues = json.loads(result.stdout)["issues"]
    assert issues == [
        {
            "file": FBS,
            "item": "first_business_subsidy",
            "field": "facts[0].unit",
            "message": issues[0]["message"],
        }
    ]
    assert "unknown unit 'rmb'" in result.stderr


def test_search_show_check(tmp_path: Path) -> None:
    out = ok("--data-dir", str(FIXTURE_DIR), "search", "创业补贴")
    assert out["results"][0]["policy_id"] == "first_business_subsidy"
    out = ok("--data-dir", str(FIXTURE_DIR), "show", "opening_fee_subsidy")
    assert out["freshness"]["status"] == "superseded" and out["card"].startswith("【已被替代】")
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"hukou": "shanghai", "registration_date": "2025-05-28"}), encoding="utf-8")
    out = ok(
        "--data-dir",
        str(FIXTURE_DIR),
        "check",
        "--profile",
        str(profile),
        "--date",
        "2026-11-28",
        "--policy",
        "first_business_subsidy",
    )
    assert out["results"][0]["status"] == "need_more_info"
    assert "请告诉我" in out["results"][0]["text"]
    out = ok("--data-dir", str(FIXTURE_DIR), "check", "--profile", str(profile))
    assert {r["policy_id"] for r in out["results"]} >= {"first_business_subsidy", "pre_startup_loan"}


def test_load(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    result = cli("--data-dir", str(FIXTURE_DIR), "load", "--database-url", url)
    assert result.returncode == 0 and json.loads(result.stdout)["changed"] is True
    assert "kb_policies: 5" in result.stderr
    again = ok("--data-dir", str(FIXTURE_DIR), "load", env={"DATABASE_URL": url})
    assert again["changed"] is False


def test_exports(tmp_path: Path) -> None:
    ok("--data-dir", str(FIXTURE_DIR), "export-userdict", str(tmp_path / "dict" / "userdict.txt"))
    lines = (tmp_path / "dict" / "userdict.txt").read_text(encoding="utf-8").splitlines()
    assert "首创补贴 2000 nz" in lines and "浦东新区 2000 ns" in lines
    ok("--data-dir", str(FIXTURE_DIR), "export-lookups", str(tmp_path / "lookups.yml"))
    data = yaml.safe_load((tmp_path / "lookups.yml").read_text(encoding="utf-8"))
    tables = {t["lookup"]: t["examples"] for t in data["nlu"]}
    assert (
        "- 首创补贴\n" in tables["policy"]
        and "- 卢湾\n" in tables["district"]
        and "- 海归\n" in tables["applicant_group"]
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("show", "nope"), "unknown policy id 'nope'"),
        (("check", "--profile", "/nonexistent/p.json"), "找不到文件"),
        (("load", "--database-url", "nosuchdb://x"), "数据库错误 / database error"),
        (
            ("load", "--database-url", "postgresql+psycopg2://nobody@127.0.0.1:1/x"),
            "数据库错误 / database error",
        ),
        (("load", "--database-url", "not a url"), "数据库错误 / database error"),
    ],
)
def test_errors_are_clean(args: tuple, fragment: str) -> None:
    assert fragment in failed("--data-dir", str(FIXTURE_DIR), *args)


def test_bad_profile_and_date(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text('{"hukou": "mars", "registration_date": "yesterday"}', encoding="utf-8")
    err = failed("--data-dir", str(FIXTURE_DIR), "check", "--profile", str(profile))
    assert "hukou（户籍或居住证类型）" in err and "registration_date" in err
    profile.write_text("{not json", encoding="utf-8")
    assert "不是有效的 JSON" in failed("--data-dir", str(FIXTURE_DIR), "check", "--profile", str(profile))
    assert "YYYY-MM-DD" in failed("search", "x", "--date", "2026-13-01", code=2)
    result = cli("--data-dir", str(FIXTURE_DIR), "search", "x", env={"HAINA_REFERENCE_DATE": "tomorrow"})
    assert result.returncode == 1 and "HAINA_REFERENCE_DATE" in result.stderr
