"""The local security log (R23, R26)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from a7desktop.core import audit
from a7desktop.core.audit import AuditLog
from a7desktop.core.log import register_secret


def test_events_are_json_lines_read_back_newest_first(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "state" / "security.jsonl")
    log.record("user_login", "default", "success", method="password")
    log.record("token_refresh_success", "work", "success")

    events = log.read(10)
    assert [e["event"] for e in events] == ["token_refresh_success", "user_login"]
    assert events[1]["profile"] == "default"
    assert events[1]["detail"] == {"method": "password"}
    assert str(events[0]["time"]).endswith("Z")


def test_read_skips_corrupt_lines_and_honours_the_limit(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "security.jsonl")
    log.record("user_login", "default", "success")
    with log.path.open("a") as stream:
        stream.write("{torn line\n[1,2]\n")
    log.record("user_logout", "default", "success")
    assert [e["event"] for e in log.read(10)] == ["user_logout", "user_login"]
    assert len(log.read(1)) == 1


def test_secrets_never_reach_the_log(tmp_path: Path) -> None:
    """R23/R26: a detail value holding a token is redacted before it is written."""
    secret = "marker-refresh-token-0123456789"
    register_secret(secret)
    log = AuditLog(tmp_path / "security.jsonl")
    log.record(
        "refresh_token_validation_failed", "default", "failure", note=f"rt={secret}"
    )
    assert secret not in log.path.read_text()


def test_unknown_event_names_are_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown security event"):
        AuditLog(tmp_path / "x.jsonl").record("made_up", "default", "success")


def test_a_full_log_is_rotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "MAX_BYTES", 200)
    log = AuditLog(tmp_path / "security.jsonl")
    for _ in range(5):
        log.record("user_login", "default", "success")
    assert (tmp_path / "security.jsonl.1").exists()
    assert all(json.loads(line) for line in log.path.read_text().splitlines())


def test_an_unwritable_log_does_not_stop_the_action(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    AuditLog(blocker / "security.jsonl").record("user_login", "default", "success")
