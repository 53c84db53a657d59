"""`themesystem-api` subcommands, run as a subprocess against the session database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import psycopg
import pytest

from backend import cli
from backend.db.users import create_user


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL"))}
    return {**env, "DATABASE_URL": database_url, **extra}


def test_config_errors_exit_2_without_traceback() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    r = _run(["migrate"], {**env, "REDIS_URL": "ftp://nope"})
    assert r.returncode == 2
    assert "DATABASE_URL: missing" in r.stderr
    assert "REDIS_URL: must be a redis://" in r.stderr
    assert "Traceback" not in r.stderr


def test_migrate_users_tokens(database_url: str) -> None:
    env = _env(database_url)
    migrate = _run(["migrate"], env)
    assert migrate.returncode == 0, migrate.stderr
    email = f"cli-{uuid.uuid4().hex[:8]}@example.test"
    made = _run(["users", "create", "--email", email, "--name", "Cli", "--role", "author"], env)
    assert made.returncode == 0, made.stderr
    assert (
        _run(["users", "create", "--email", email, "--name", "Cli", "--role", "author"], env).returncode == 1
    )
    token_run = _run(["tokens", "create", "--email", email, "--expires-days", "30"], env)
    assert token_run.returncode == 0, token_run.stderr
    token = token_run.stdout.strip()
    assert token.startswith("tsk_")
    assert len(token) > 40
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT t.role, t.expires_at IS NOT NULL FROM api_tokens t JOIN users u "
            "ON u.id = t.user_id WHERE u.email = %s",
            (email,),
        ).fetchone()
    assert row == ("author", True)
    assert (
        _run(["tokens", "create", "--email", email, "--role", "admin"], env).returncode == 1
    )  # no escalation
    revoked = _run(["tokens", "revoke", "--email", email], env)
    assert revoked.returncode == 0
    assert "revoked 1 token(s)" in revoked.stdout
    assert _run(["tokens", "revoke", "--email", email], env).returncode == 1  # nothing left to revoke
    unknown = _run(["tokens", "create", "--email", "nobody@example.test"], env)
    assert unknown.returncode == 1
    assert "no user" in unknown.stderr


def test_unreachable_database_is_a_clear_message() -> None:
    r = _run(
        ["users", "create", "--email", "a@b.c", "--name", "A"],
        _env("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2"),
    )
    assert r.returncode == 1
    assert "database unreachable" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("days", ["0", "-1", "3651", "999999999999", "ten", "1.5"])
def test_token_expiry_out_of_range_is_a_usage_error(
    days: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Checked by argparse before any setting or database is touched: nothing is created.
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["tokens", "create", "--email", "a@b.c", "--expires-days", days])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--expires-days" in err
    assert "1 to 3650 days" in err or "whole number of days" in err
    assert "Traceback" not in err


def test_token_expiry_bounds_are_accepted(
    database_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    email = f"exp-{uuid.uuid4().hex[:8]}@example.test"
    create_user(database_url, email=email, name="Exp", role="user")
    for days in (1, 3650):
        assert cli.main(["tokens", "create", "--email", email, "--expires-days", str(days)]) == 0
    with psycopg.connect(database_url) as conn:
        spans = conn.execute(
            "SELECT round(extract(epoch FROM t.expires_at - t.created_at) / 86400) FROM api_tokens t "
            "JOIN users u ON u.id = t.user_id WHERE u.email = %s ORDER BY 1",
            (email,),
        ).fetchall()
    assert [int(s) for (s,) in spans] == [1, 3650]
    capsys.readouterr()
