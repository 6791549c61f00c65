"""Google sign-in with a real browser: headless Chromium on the consent page.

The emulator's Google stand-in serves the consent page; Chromium loads it,
the mouse clicks the button, the redirect reaches the program's loopback
listener, and the verified ID token goes to the session engine, which signs
in through the API's ``googleauth`` and keeps the session in the test
keyring. The last test starts the browser the way the command line does,
through ``webbrowser`` and the ``BROWSER`` variable.
"""

from __future__ import annotations

import asyncio
import os
import uuid
import webbrowser
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from chromium_consent import (
    CHROMIUM,
    ChromiumConsent,
    browser_command,
    read_outcome,
)

from a7desktop.core.config import resolve_profile
from a7desktop.core.engine import SessionEngine, open_engine
from a7desktop.core.events import SessionState
from a7desktop.core.models import StoredSession
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


class EngineSignIn:
    """Hands the verified ID token to the session engine, as the program does."""

    def __init__(self, engine: SessionEngine) -> None:
        self.engine = engine
        self.sessions: list[StoredSession] = []

    async def __call__(self, id_token: str) -> None:
        self.sessions.append(await self.engine.sign_in_google(id_token))

    @property
    def emails(self) -> list[str]:
        return [session.email for session in self.sessions]


@pytest.fixture
async def engine(
    server: EmulatorServer, a7home: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SessionEngine]:
    """An engine on a profile of its own, storing in the test keyring."""
    monkeypatch.setenv("A7DESKTOP_POLICY_FILE", str(a7home / "no-policy.json"))
    profile = resolve_profile(f"google-{uuid.uuid4().hex[:10]}", server.url)
    async with open_engine(profile) as running:
        yield running
        if running.session is not None:
            await running.sign_out()


@pytest.fixture
def api_sign_in(engine: SessionEngine) -> EngineSignIn:
    return EngineSignIn(engine)


async def test_clicking_allow_in_chromium_ends_signed_in(
    config: OidcConfig, api_sign_in: EngineSignIn, engine: SessionEngine
) -> None:
    """R2: the real consent page in a real browser, then googleauth."""
    consent = ChromiumConsent()

    id_token = await browser_sign_in(config, consent, timeout=30, accept=api_sign_in)
    outcome = await asyncio.to_thread(consent.outcome)

    assert id_token
    assert api_sign_in.emails == [DEMO_EMAIL]
    assert engine.state is SessionState.ACTIVE
    session = engine.session
    assert session is not None
    assert session.email == DEMO_EMAIL
    assert await engine.access_token()
    assert outcome.title == "a7desktop: Signed in to a7desktop"
    assert "You can close this tab" in outcome.text
    assert outcome.url.startswith("http://127.0.0.1:")


async def test_clicking_deny_in_chromium_shows_the_refusal(
    config: OidcConfig, api_sign_in: EngineSignIn, engine: SessionEngine
) -> None:
    """R6: access_denied from a real consent page, shown in the tab."""
    consent = ChromiumConsent(button="deny")

    with pytest.raises(SignInDenied):
        await browser_sign_in(config, consent, timeout=30, accept=api_sign_in)
    outcome = await asyncio.to_thread(consent.outcome)

    assert api_sign_in.sessions == []
    assert engine.session is None
    assert "Sign-in failed" in outcome.text
    assert "declined" in outcome.text


async def test_the_browser_variable_route_used_by_the_command_line(
    config: OidcConfig,
    api_sign_in: EngineSignIn,
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
    assert api_sign_in.emails == [DEMO_EMAIL]
