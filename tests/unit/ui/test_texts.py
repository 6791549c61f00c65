"""What the window writes: times, error messages, claims, the tray tooltip."""

from __future__ import annotations

import base64
import json

import pytest

from a7desktop.core.errors import (
    BadCredentials,
    LockedOut,
    RateLimited,
    ServerUnavailable,
    SessionExpired,
)
from a7desktop.ui.claims import decode_claims, describe_claims
from a7desktop.ui.messages import (
    DEVICE_CHANGED,
    countdown_text,
    explain,
    signed_out_text,
)
from a7desktop.ui.timefmt import duration, relative
from a7desktop.ui.tray import tooltip_text

SERVER = "https://api.agent700.ai/api"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (420, "7 min"),
        (28_680, "7 h 58 min"),
        (3 * 86_400 + 7200, "3 d 2 h"),
    ],
)
def test_durations(seconds: float, text: str) -> None:
    assert duration(seconds) == text


def test_relative_times() -> None:
    assert relative(1_000 + 90, 1_000) == "in 1 min"
    assert relative(1_000 - 30, 1_000) == "30 s ago"
    assert relative(1_000, 1_000) == "now"


def test_each_failure_has_its_own_message() -> None:
    assert explain(RateLimited("slow down", 42), SERVER).retry_after == 42
    assert explain(LockedOut("locked for 300 seconds", 300), SERVER).retry_after == 300
    assert explain(BadCredentials("wrong email or password"), SERVER).text == (
        "wrong email or password"
    )
    unreachable = explain(ServerUnavailable("connection refused"), SERVER).text
    assert unreachable.startswith("Cannot reach api.agent700.ai")
    device = SessionExpired("refused", reason="fingerprint_mismatch")
    assert explain(device, SERVER).text == DEVICE_CHANGED
    assert "RuntimeError" in explain(RuntimeError("x"), SERVER).text


def test_signed_out_reasons() -> None:
    assert signed_out_text("signed_out", "signed out") == "You signed out."
    assert signed_out_text("fingerprint_mismatch", "") == DEVICE_CHANGED
    assert signed_out_text("elsewhere", "signed out in another window") == (
        "signed out in another window"
    )


def test_countdown_text() -> None:
    assert countdown_text(5) == "Try again in 5 s."
    assert countdown_text(0) == "You can try again now."


def test_claims_are_decoded_for_display() -> None:
    payload = base64.urlsafe_b64encode(
        json.dumps(
            {"sub": "u1", "exp": 1_736_935_200, "auth_type": "password"}
        ).encode()
    ).rstrip(b"=")
    token = f"eyJhbGciOiJIUzI1NiJ9.{payload.decode()}.signature"

    claims = decode_claims(token)
    text = describe_claims(claims)

    assert claims["sub"] == "u1"
    assert "exp: 2025-01-15" in text
    assert "signature" not in text
    with pytest.raises(ValueError, match="not a JWT"):
        decode_claims("app_a7_0123")


def test_tray_tooltip_says_the_time_left() -> None:
    assert tooltip_text("active", 1_000 + 3_600, 1_000) == (
        "Agent700 Desktop: Active, 1 h left"
    )
    assert tooltip_text("signed_out", None, 1_000) == "Agent700 Desktop: Signed out"
