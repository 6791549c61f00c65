"""The device fingerprint rule, trusted devices and the device limit."""

from __future__ import annotations

import pytest
from emulator_helpers import DEVICE, Api, cookie_token, device

from a7desktop.emulator import DEMO_EMAIL, EmulatorState
from a7desktop.emulator.fingerprint import Fingerprint, matches, similarity

BASE = Fingerprint.from_headers({k.lower(): v for k, v in DEVICE.items()})


def changed(**changes: str) -> Fingerprint:
    return Fingerprint.from_headers(
        {k.lower(): v for k, v in device(**changes).items()}
    )


@pytest.mark.parametrize(
    ("changes", "score", "match"),
    [
        ({}, 1.0, True),
        ({"User_Agent": "other/2.0"}, 0.6, False),
        ({"Accept_Language": "de-DE"}, 0.8, False),
        ({"Accept_Encoding": "br"}, 0.8, False),
        ({"X_Screen_Resolution": "2560x1440"}, 0.9, True),
        ({"X_Timezone_Offset": "-120"}, 0.9, True),
        ({"X_Screen_Resolution": "2560x1440", "X_Timezone_Offset": "-120"}, 0.8, False),
    ],
    ids=["same", "agent", "language", "encoding", "screen", "timezone", "both"],
)
def test_weights_and_threshold(
    changes: dict[str, str], score: float, match: bool
) -> None:
    other = changed(**changes)

    assert similarity(BASE, other) == score
    assert matches(BASE, other) is match


def test_a_missing_header_matches_only_a_missing_header() -> None:
    headers = {k.lower(): v for k, v in DEVICE.items()}
    del headers["x-screen-resolution"]

    assert similarity(BASE, Fingerprint.from_headers(headers)) == 0.9


async def test_a_refresh_with_a_different_user_agent_is_refused(
    api: Api, state: EmulatorState
) -> None:
    _, token = await api.session()

    response = await api.refresh(token, device(User_Agent="curl/8.0"))

    assert response.status_code == 401
    assert response.json()["error"] == "fingerprint_mismatch"
    assert state.refresh_log[-1].outcome == "fingerprint_mismatch"
    assert state.events[-1].name == "refresh_token_validation_failed"


async def test_a_refused_device_does_not_spend_the_token(api: Api) -> None:
    _, token = await api.session()
    await api.refresh(token, device(Accept_Language="fr-FR"))

    response = await api.refresh(token)

    assert response.status_code == 200


async def test_a_changed_language_is_refused(api: Api) -> None:
    _, token = await api.session()

    response = await api.refresh(token, device(Accept_Language="fr-FR"))

    assert response.json()["error"] == "fingerprint_mismatch"


async def test_a_new_monitor_alone_passes_and_is_remembered(api: Api) -> None:
    _, token = await api.session()
    monitor = device(X_Screen_Resolution="2560x1440")
    token = cookie_token(await api.refresh(token, monitor))

    # Measured from the remembered fingerprint, a DST change is one change;
    # measured from the sign-in fingerprint it would be two, and refused.
    response = await api.refresh(
        token, device(X_Screen_Resolution="2560x1440", X_Timezone_Offset="-120")
    )

    assert response.status_code == 200


async def test_a_new_monitor_and_timezone_at_once_are_refused(api: Api) -> None:
    _, token = await api.session()

    response = await api.refresh(
        token, device(X_Screen_Resolution="2560x1440", X_Timezone_Offset="-120")
    )

    assert response.json()["error"] == "fingerprint_mismatch"


def _other_device(number: int) -> dict[str, str]:
    return device(User_Agent=f"other-device/{number}", Accept_Language=f"x-{number}")


async def test_a_sixth_device_cannot_sign_in(api: Api, state: EmulatorState) -> None:
    for number in range(5):
        assert (await api.login(headers=_other_device(number))).status_code == 200

    sixth = await api.login(headers=_other_device(5))

    assert sixth.status_code == 403
    assert sixth.json()["error"] == "device_limit_reached"
    assert "set-cookie" not in sixth.headers
    assert len(state.users[DEMO_EMAIL].devices) == 5


async def test_a_known_device_signs_in_again_within_the_limit(api: Api) -> None:
    for number in range(5):
        await api.login(headers=_other_device(number))

    again = await api.login(headers=_other_device(2))
    small_change = await api.login(
        headers={**_other_device(3), "X-Timezone-Offset": "-120"}
    )

    assert again.status_code == small_change.status_code == 200


async def test_a_forgotten_device_cannot_refresh(
    api: Api, state: EmulatorState
) -> None:
    _, token = await api.session()

    state.forget_devices(DEMO_EMAIL)
    response = await api.refresh(token)

    assert response.status_code == 401
    assert response.json()["error"] == "device_limit_reached"
    assert state.refresh_log[-1].outcome == "device_limit"
    assert (await api.login()).status_code == 200
