"""Google sign-in with a real browser: headless Chromium on the consent page.

The emulator's Google stand-in serves the consent page; Chromium loads it,
the mouse clicks the button, the redirect reaches the program's loopback
listener, and the verified ID token signs in through the API's
``googleauth``. The second half starts the same browser the way the command
line does, through ``webbrowser`` and the ``BROWSER`` variable.
"""

from __future__ import annotations

import asyncio
import os
import webbrowser
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from chromium_consent import (
    CHROMIUM,
    ChromiumConsent,
    browser_command,
    read_outcome,
)

from a7desktop.core.oidc import OidcConfig, browser_sign_in, open_system_browser
from a7desktop.core.oidc_errors import SignInDenied
from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorServer

pytestmark = [pytest.mark.browser, pytest.mark.timeout(60)]

if not os.access(CHROMIUM, os.X_OK) and not os.environ.get("CI"):
    pytest.skip(f"{CHROMIUM} is not installed", allow_module_level=True)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(auto_approve=False)) as running:
        yield running


@pytest.fixture
def config(server: EmulatorServer) -> OidcConfig:
    return OidcConfig(
        server.google_issuer,
        server.state.config.google_client_id,
        server.state.config.google_client_secret,
    )


class ApiSignIn:
    """Signs in to the API with the verified ID token, as the engine does."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.answers: list[dict[str, Any]] = []

    async def __call__(self, id_token: str) -> None:
        async with httpx.AsyncClient(trust_env=False, timeout=20.0) as client:
            answer = await client.post(
                self.server.url + "/auth/googleauth", json={"token": id_token}
            )
        answer.raise_for_status()
        self.answers.append(answer.json())


@pytest.fixture
def api_sign_in(server: EmulatorServer) -> ApiSignIn:
    return ApiSignIn(server)


async def test_clicking_allow_in_chromium_ends_signed_in(
    config: OidcConfig, api_sign_in: ApiSignIn
) -> None:
    """R2: the real consent page in a real browser, then googleauth."""
    consent = ChromiumConsent()

    id_token = await browser_sign_in(config, consent, timeout=30, accept=api_sign_in)
    outcome = await asyncio.to_thread(consent.outcome)

    assert id_token
    assert [answer["email"] for answer in api_sign_in.answers] == [DEMO_EMAIL]
    assert api_sign_in.answers[0]["accessToken"]
    assert outcome.title == "a7desktop: Signed in to a7desktop"
    assert "You can close this tab" in outcome.text
    assert outcome.url.startswith("http://127.0.0.1:")


async def test_clicking_deny_in_chromium_shows_the_refusal(
    config: OidcConfig, api_sign_in: ApiSignIn
) -> None:
    """R6: access_denied from a real consent page, shown in the tab."""
    consent = ChromiumConsent(button="deny")

    with pytest.raises(SignInDenied):
        await browser_sign_in(config, consent, timeout=30, accept=api_sign_in)
    outcome = await asyncio.to_thread(consent.outcome)

    assert api_sign_in.answers == []
    assert "Sign-in failed" in outcome.text
    assert "declined" in outcome.text


async def test_the_browser_variable_route_used_by_the_command_line(
    config: OidcConfig,
    api_sign_in: ApiSignIn,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R2: ``webbrowser`` starts the browser named by BROWSER, as ``login --google``
    does; the helper script clicks Allow and reports the page."""
    outcome_file = tmp_path / "outcome.json"
    monkeypatch.setenv("BROWSER", browser_command(outcome_file))
    # webbrowser reads BROWSER once per process; make it read it again.
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    shown: list[bool] = []

    await browser_sign_in(
        config,
        open_system_browser,
        on_url=lambda url, opened: shown.append(opened),
        timeout=30,
        accept=api_sign_in,
    )
    outcome = await asyncio.to_thread(read_outcome, outcome_file)

    assert shown == [True]
    assert outcome["title"] == "a7desktop: Signed in to a7desktop"
    assert [answer["email"] for answer in api_sign_in.answers] == [DEMO_EMAIL]
