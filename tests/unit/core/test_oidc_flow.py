"""The whole browser sign-in against the emulator's Google stand-in.

Real HTTP over loopback everywhere: discovery, the consent page, the
redirect into the loopback listener, the code exchange, the JWKS, and the
API's ``googleauth``. The "browser" is :class:`FormBrowser`, which does
what a person's browser does with httpx: load the consent page, submit its
form with the chosen button, follow the redirect back. Tests that play an
attacker edit the URL on the way in or out.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pytest

from a7desktop.core import oidc
from a7desktop.core.errors import A7Error
from a7desktop.core.oidc import BrowserSignIn, OidcConfig, browser_sign_in
from a7desktop.core.oidc_errors import (
    IdTokenRejected,
    ProviderError,
    ProviderUnreachable,
    SignInBusy,
    SignInCancelled,
    SignInDenied,
    SignInTimedOut,
    StateMismatch,
)
from a7desktop.core.pkce import AttemptSecrets
from a7desktop.emulator import EmulatorConfig, EmulatorServer

pytestmark = pytest.mark.timeout(60)

Edit = Callable[[str], str]


class _FormReader(HTMLParser):
    """Collects the consent form's action, fields and buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}
        self.buttons: dict[str, tuple[str, str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = attributes.get("action", "")
        elif tag == "input" and "name" in attributes:
            self.fields[attributes["name"]] = attributes.get("value", "")
        elif tag == "button" and "id" in attributes:
            self.buttons[attributes["id"]] = (
                attributes.get("name", ""),
                attributes.get("value", ""),
            )


def with_params(url: str, **changes: str | None) -> str:
    """``url`` with query parameters replaced (or removed when ``None``)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    return urlunsplit(parts._replace(query=urlencode(query)))


def params_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


class FormBrowser:
    """A browser opener that clicks through the consent form with httpx.

    Args:
        button: the id of the consent page's button to press.
        edit_authorize: rewrites the consent URL before loading it.
        edit_redirect: rewrites the redirect back to the program.
        act: when False, opens nothing (the person walked away).
        opened: what the opener reports (False: no browser could start).
    """

    def __init__(
        self,
        *,
        button: str = "approve",
        edit_authorize: Edit | None = None,
        edit_redirect: Edit | None = None,
        act: bool = True,
        opened: bool = True,
    ) -> None:
        self.button = button
        self.edit_authorize = edit_authorize
        self.edit_redirect = edit_redirect
        self.act = act
        self.opened = opened
        self.urls: list[str] = []
        self.redirects: list[str] = []
        self.task: asyncio.Task[httpx.Response] | None = None
        self.called = asyncio.Event()

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        self.called.set()
        if self.act:
            self.task = asyncio.ensure_future(self.visit(url))
        return self.opened

    async def visit(self, url: str) -> httpx.Response:
        if self.edit_authorize is not None:
            url = self.edit_authorize(url)
        async with httpx.AsyncClient(trust_env=False, timeout=20.0) as client:
            consent = await client.get(url)
            consent.raise_for_status()
            form = _FormReader()
            form.feed(consent.text)
            name, value = form.buttons[self.button]
            answer = await client.post(
                urljoin(str(consent.url), form.action),
                data={**form.fields, name: value},
            )
            assert answer.status_code in (302, 303), answer.text
            location = answer.headers["location"]
            self.redirects.append(location)
            if self.edit_redirect is not None:
                location = self.edit_redirect(location)
            return await client.get(location)

    async def page(self) -> httpx.Response:
        """The page the browser tab ended on."""
        assert self.task is not None
        return await self.task


class TokenEndpointCounter:
    """Counts the requests our client sends to the provider's token endpoint."""

    def __init__(self) -> None:
        self.count = 0

    async def __call__(self, request: httpx.Request) -> None:
        if request.url.path.endswith("/token"):
            self.count += 1


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


@pytest.fixture
def token_requests() -> TokenEndpointCounter:
    return TokenEndpointCounter()


@pytest.fixture
async def http(
    token_requests: TokenEndpointCounter,
) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        trust_env=False, timeout=20.0, event_hooks={"request": [token_requests]}
    ) as client:
        yield client


@pytest.fixture
def attempts(monkeypatch: pytest.MonkeyPatch) -> list[AttemptSecrets]:
    """Every set of attempt secrets the flow makes, for leak checks."""
    made: list[AttemptSecrets] = []
    fresh = AttemptSecrets.fresh

    def recording_fresh() -> AttemptSecrets:
        attempt = fresh()
        made.append(attempt)
        return attempt

    monkeypatch.setattr(AttemptSecrets, "fresh", staticmethod(recording_fresh))
    return made


def port_of(url: str) -> int:
    port = urlsplit(params_of(url)["redirect_uri"]).port
    assert port is not None
    return port


def assert_port_free(port: int) -> None:
    with socket.socket() as probe, pytest.raises(ConnectionRefusedError):
        probe.connect(("127.0.0.1", port))


async def googleauth(server: EmulatorServer, id_token: str) -> httpx.Response:
    async with httpx.AsyncClient(trust_env=False) as client:
        return await client.post(
            server.url + "/auth/googleauth", json={"token": id_token}
        )


async def test_sign_in_returns_a_verified_token_the_api_accepts(
    server: EmulatorServer,
    config: OidcConfig,
    http: httpx.AsyncClient,
    attempts: list[AttemptSecrets],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R1, R3, R7, R26: the happy path, with nothing secret in URL or log."""
    browser = FormBrowser()
    shown: list[tuple[str, bool]] = []

    with caplog.at_level(logging.DEBUG):
        id_token = await browser_sign_in(
            config, browser, on_url=lambda url, ok: shown.append((url, ok)), http=http
        )

    answer = await googleauth(server, id_token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == "demo@agent700.example"

    page = await browser.page()
    assert page.status_code == 200
    assert "Signed in to a7desktop" in page.text

    (url,) = browser.urls
    assert shown == [(url, True)]
    query = params_of(url)
    redirect = urlsplit(query["redirect_uri"])
    assert (redirect.scheme, redirect.hostname) == ("http", "127.0.0.1")
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "openid email profile"
    (attempt,) = attempts
    assert query["code_challenge"] == attempt.challenge
    assert attempt.verifier not in url
    assert_port_free(port_of(url))

    code = params_of(browser.redirects[0])["code"]
    secrets = (attempt.verifier, attempt.state, attempt.nonce, code, id_token)
    assert caplog.records
    for record in caplog.records:
        if record.name.startswith("httpcore."):
            # httpcore's trace logs the test browser's response headers
            # (the redirect's Location); the flow's own requests carry
            # secrets only in bodies, which httpcore never logs.
            continue
        line = record.getMessage()
        for secret in secrets:
            assert secret not in line, f"secret in log line: {record.name}"


async def test_each_attempt_uses_fresh_secrets(
    config: OidcConfig, http: httpx.AsyncClient, attempts: list[AttemptSecrets]
) -> None:
    """R3: no verifier, state or nonce is reused across attempts."""
    for _ in range(2):
        await browser_sign_in(config, FormBrowser(), http=http)
    first, second = attempts
    assert first.verifier != second.verifier
    assert first.state != second.state
    assert first.nonce != second.nonce


@pytest.mark.parametrize(
    "state",
    [
        pytest.param("forged-state-value-0123456789", id="wrong"),
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
    ],
)
async def test_a_redirect_with_a_bad_state_exchanges_nothing(
    config: OidcConfig,
    http: httpx.AsyncClient,
    token_requests: TokenEndpointCounter,
    state: str | None,
) -> None:
    """R4: missing or wrong state is rejected before any code exchange."""
    browser = FormBrowser(edit_redirect=lambda url: with_params(url, state=state))

    with pytest.raises(StateMismatch, match="state mismatch"):
        await browser_sign_in(config, browser, http=http)

    assert token_requests.count == 0
    page = await browser.page()
    assert "Sign-in failed" in page.text
    assert_port_free(port_of(browser.urls[0]))


async def test_a_replayed_redirect_from_an_earlier_attempt_is_refused(
    config: OidcConfig, http: httpx.AsyncClient, token_requests: TokenEndpointCounter
) -> None:
    """R4: an already used state (with its code) is rejected, not exchanged."""
    first = FormBrowser()
    await browser_sign_in(config, first, http=http)
    exchanges_before = token_requests.count
    used = params_of(first.redirects[0])

    replay = FormBrowser(
        edit_redirect=lambda url: with_params(
            url, code=used["code"], state=used["state"]
        )
    )
    with pytest.raises(StateMismatch):
        await browser_sign_in(config, replay, http=http)
    assert token_requests.count == exchanges_before


async def test_a_reused_code_is_refused_by_the_provider(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """A code that was already exchanged fails cleanly, with nothing signed in."""
    first = FormBrowser()
    await browser_sign_in(config, first, http=http)
    used_code = params_of(first.redirects[0])["code"]

    second = FormBrowser(edit_redirect=lambda url: with_params(url, code=used_code))
    with pytest.raises(ProviderError, match="refused the sign-in code"):
        await browser_sign_in(config, second, http=http)
    assert "Sign-in failed" in (await second.page()).text


async def test_a_token_carrying_another_nonce_is_not_passed_on(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R5: an ID token minted for another nonce never reaches the API."""
    accepted: list[str] = []

    async def accept(id_token: str) -> None:
        accepted.append(id_token)

    browser = FormBrowser(
        edit_authorize=lambda url: with_params(url, nonce="nonce-of-another-attempt")
    )
    with pytest.raises(IdTokenRejected) as caught:
        await browser_sign_in(config, browser, http=http, accept=accept)

    assert caught.value.reason == "nonce"
    assert accepted == []
    assert "nonce mismatch" in (await browser.page()).text


async def test_an_expired_id_token_is_not_passed_on(
    server: EmulatorServer, config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R5: a provider whose clock is two hours behind issues expired tokens."""
    server.state.clock.set_offset(-7200)
    accepted: list[str] = []

    async def accept(id_token: str) -> None:
        accepted.append(id_token)

    browser = FormBrowser()
    with pytest.raises(IdTokenRejected, match="expired") as caught:
        await browser_sign_in(config, browser, http=http, accept=accept)
    assert caught.value.reason == "expired"
    assert accepted == []


async def test_denial_in_the_browser_ends_the_flow_clearly(
    config: OidcConfig, http: httpx.AsyncClient, token_requests: TokenEndpointCounter
) -> None:
    """R6: error=access_denied gives a clear message and a page that says so."""
    browser = FormBrowser(button="deny")

    with pytest.raises(SignInDenied, match="declined"):
        await browser_sign_in(config, browser, http=http)

    assert token_requests.count == 0
    assert "declined" in (await browser.page()).text
    assert_port_free(port_of(browser.urls[0]))


async def test_an_error_carrying_markup_is_escaped_in_the_page(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R6: an error value with markup ends the flow and is shown as text."""
    markup = '<script>alert("owned")</script>'
    browser = FormBrowser(
        edit_redirect=lambda url: with_params(url, code=None, error=markup)
    )

    with pytest.raises(ProviderError) as caught:
        await browser_sign_in(config, browser, http=http)

    assert markup in str(caught.value)
    page = (await browser.page()).text
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page


async def test_control_characters_in_an_error_never_reach_the_message(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    browser = FormBrowser(
        edit_redirect=lambda url: with_params(url, code=None, error="bad\x1b[31mred\n")
    )
    with pytest.raises(ProviderError) as caught:
        await browser_sign_in(config, browser, http=http)
    assert "\x1b" not in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_no_answer_before_the_deadline_times_out_and_frees_the_port(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R7: timeout."""
    browser = FormBrowser(act=False)
    with pytest.raises(SignInTimedOut, match="No answer came back"):
        await browser_sign_in(config, browser, http=http, timeout=0.5)
    assert_port_free(port_of(browser.urls[0]))


async def test_cancel_ends_the_flow_and_frees_the_port(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R7: Cancel in the program."""
    browser = FormBrowser(act=False)
    attempt = BrowserSignIn(config, browser, http=http)
    running = asyncio.ensure_future(attempt.run())
    await browser.called.wait()
    await asyncio.sleep(0)
    seconds_left = attempt.seconds_left
    assert seconds_left is not None
    assert 0 < seconds_left <= 300

    attempt.cancel()

    with pytest.raises(SignInCancelled, match="cancelled"):
        await running
    assert_port_free(port_of(browser.urls[0]))
    assert oidc.active_sign_in() is None
    with pytest.raises(RuntimeError, match="runs once"):
        await attempt.run()


async def test_cancel_before_the_browser_opens_opens_nothing(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    browser = FormBrowser()
    attempt = BrowserSignIn(config, browser, http=http)
    attempt.cancel()
    with pytest.raises(SignInCancelled):
        await attempt.run()
    assert browser.urls == []


async def test_cancelling_the_task_frees_the_port_and_the_guard(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R7: task cancellation (closing the window, Ctrl+C)."""
    browser = FormBrowser(act=False)
    running = asyncio.ensure_future(browser_sign_in(config, browser, http=http))
    await browser.called.wait()

    running.cancel()

    with pytest.raises(asyncio.CancelledError):
        await running
    assert_port_free(port_of(browser.urls[0]))
    assert oidc.active_sign_in() is None
    assert await browser_sign_in(config, FormBrowser(), http=http)


async def test_a_second_sign_in_while_one_waits_is_refused(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """R7: the waiting attempt keeps going; the second is refused at once."""
    late_browser = FormBrowser(act=False)
    first = asyncio.ensure_future(browser_sign_in(config, late_browser, http=http))
    await late_browser.called.wait()

    second_browser = FormBrowser()
    with pytest.raises(SignInBusy, match="already waiting"):
        await browser_sign_in(config, second_browser, http=http)
    assert second_browser.urls == []

    await late_browser.visit(late_browser.urls[0])
    assert await first


async def test_when_no_browser_opens_the_url_is_shown_to_copy(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """The caller is told the URL and that no browser opened; pasting it works."""
    shown: list[tuple[str, bool]] = []
    url_shown = asyncio.Event()
    browser = FormBrowser(act=False, opened=False)

    def show(url: str, opened: bool) -> None:
        shown.append((url, opened))
        url_shown.set()

    async def paste_url_later() -> None:
        await url_shown.wait()
        await browser.visit(shown[0][0])

    helper = asyncio.ensure_future(paste_url_later())
    id_token = await browser_sign_in(config, browser, on_url=show, http=http)
    await helper
    assert id_token
    assert shown[0][1] is False


async def test_an_opener_that_raises_counts_as_no_browser(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    shown: list[tuple[str, bool]] = []

    def broken_opener(url: str) -> bool:
        raise OSError("no display")

    with pytest.raises(SignInTimedOut):
        await browser_sign_in(
            config,
            broken_opener,
            on_url=lambda url, ok: shown.append((url, ok)),
            http=http,
            timeout=0.2,
        )
    assert [ok for _, ok in shown] == [False]


async def test_an_async_opener_is_awaited(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    browser = FormBrowser()

    async def opener(url: str) -> bool:
        return browser(url)

    assert await browser_sign_in(config, opener, http=http)


async def test_an_api_refusal_in_accept_is_shown_in_the_tab(
    config: OidcConfig, http: httpx.AsyncClient
) -> None:
    """The tab says sign-in failed when the API turns the token down."""

    async def accept(id_token: str) -> Any:
        raise A7Error("The Agent700 server refused this Google account.")

    browser = FormBrowser()
    with pytest.raises(A7Error, match="refused this Google account"):
        await browser_sign_in(config, browser, http=http, accept=accept)
    page = (await browser.page()).text
    assert "Sign-in failed" in page
    assert "refused this Google account" in page


async def test_an_unreachable_provider_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = OidcConfig(f"http://127.0.0.1:{port}/google", "client")
    browser = FormBrowser()
    with pytest.raises(ProviderUnreachable, match="Could not reach"):
        await browser_sign_in(config, browser)
    assert browser.urls == []
