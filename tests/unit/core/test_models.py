"""Stored sessions, app password values and their secret-hiding reprs."""

from __future__ import annotations

import pytest

from a7desktop.core.errors import InvalidInput, VaultError
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.models import (
    AppPasswordInfo,
    CreatedAppPassword,
    Organization,
    StoredSession,
    normalize_app_password,
)

ACCESS = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.access-marker-signature"
REFRESH = "refresh-marker-0123456789"
APP = "app_a7_" + "0123456789abcdef" * 2


def session(**changes: object) -> StoredSession:
    values: dict[str, object] = {
        "server": "https://api.agent700.ai/api",
        "profile": "default",
        "email": "a@example.com",
        "auth_type": "password",
        "access_token": ACCESS,
        "refresh_token": REFRESH,
        "issued_at": 1000.0,
        "expires_at": 1000.0 + 28800,
        "organization": Organization("org-1", "Public", "consumer"),
        "organizations": (Organization("org-1", "Public", "consumer"),),
        "fingerprint": device_fingerprint(),
    }
    values.update(changes)
    return StoredSession(**values)  # type: ignore[arg-type]


def test_session_round_trips_through_json() -> None:
    original = session(app_password_name="CI")
    assert StoredSession.from_json(original.to_json()) == original


def test_session_without_refresh_token_round_trips() -> None:
    original = session(
        refresh_token=None, fingerprint=None, organization=None, organizations=()
    )
    assert StoredSession.from_json(original.to_json()) == original


def test_repr_hides_both_tokens() -> None:
    text = repr(session())
    assert ACCESS not in text
    assert REFRESH not in text
    assert "a@example.com" in text


def test_expiry_is_measured_from_issue_time() -> None:
    value = session()
    assert value.expires_in(1000.0 + 100) == 28700
    assert value.lifetime == 28800
    rotated = value.rotated("new.access.token", "rt-2", 5000.0, 14400)
    assert (rotated.issued_at, rotated.expires_at, rotated.email) == (
        5000.0,
        19400.0,
        value.email,
    )


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"format": 99}',
        session().to_json().replace('"password"', '"sms"'),
        session().to_json().replace('"issued_at":1000.0', '"issued_at":"soon"'),
    ],
)
def test_an_unreadable_stored_session_is_a_vault_error(text: str) -> None:
    with pytest.raises(VaultError, match="stored session is unreadable") as caught:
        StoredSession.from_json(text)
    assert REFRESH not in str(caught.value)


def test_created_app_password_repr_hides_the_token() -> None:
    info = AppPasswordInfo("id-1", "CI", None, None, True, None)
    created = CreatedAppPassword(info, APP)
    assert APP not in repr(created)
    assert "CI" in repr(created)


def test_pasted_app_password_is_trimmed() -> None:
    """R28: surrounding whitespace from a paste is removed before use."""
    assert normalize_app_password(f"  {APP}\n") == APP


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app_a7_short", "wrong length"),
        ("xyz_a7_" + "0" * 32, "start with app_a7_"),
        (APP + "0", "wrong length"),
        ("app_a7_" + "0" * 31 + "!", "cannot have"),
        ("", "start with"),
    ],
)
def test_malformed_app_passwords_are_refused_before_any_request(
    text: str, message: str
) -> None:
    """R28: the format is checked locally, with a message that says what is wrong."""
    with pytest.raises(InvalidInput, match=message):
        normalize_app_password(text)
