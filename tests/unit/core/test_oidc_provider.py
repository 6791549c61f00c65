"""Discovery, the authorization URL and the code exchange, answer by answer.

The provider's answers are given by an in-process transport so every bad
shape can be produced; the flow over real HTTP is in ``test_oidc_flow``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from a7desktop.core.oidc_errors import ProviderError, ProviderUnreachable
from a7desktop.core.oidc_provider import (
    GOOGLE_ISSUER,
    OidcConfig,
    ProviderMetadata,
    authorization_url,
    discover,
    exchange_code,
    provider_error_message,
    without_query,
)
from a7desktop.core.pkce import AttemptSecrets

ISSUER = "https://issuer.example"
METADATA = ProviderMetadata(
    issuer=ISSUER,
    authorization_endpoint=f"{ISSUER}/authorize",
    token_endpoint=f"{ISSUER}/token",
    jwks_uri=f"{ISSUER}/jwks",
)
CONFIG = OidcConfig(ISSUER, "client-id", "client-secret-value")

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def discovery_document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
        "code_challenge_methods_supported": ["plain", "S256"],
    }
    document.update(changes)
    return {name: value for name, value in document.items() if value is not None}


async def discover_with(answer: httpx.Response) -> ProviderMetadata:
    async with client(lambda request: answer) as http:
        return await discover(http, ISSUER)


async def test_discovery_reads_the_endpoints() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json=discovery_document())

    async with client(handler) as http:
        metadata = await discover(http, ISSUER)

    assert seen == [f"{ISSUER}/.well-known/openid-configuration"]
    assert metadata == METADATA


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        pytest.param(
            httpx.Response(200, json=discovery_document(issuer="https://evil.example")),
            "different issuer",
            id="issuer-mismatch",
        ),
        pytest.param(
            httpx.Response(
                200,
                json=discovery_document(token_endpoint="http://issuer.example/token"),
            ),
            "token_endpoint",
            id="plain-http-endpoint",
        ),
        pytest.param(
            httpx.Response(200, json=discovery_document(jwks_uri=None)),
            "jwks_uri",
            id="missing-jwks",
        ),
        pytest.param(
            httpx.Response(
                200, json=discovery_document(code_challenge_methods_supported=["plain"])
            ),
            "S256",
            id="no-s256",
        ),
        pytest.param(
            httpx.Response(200, json=["a list"]), "malformed", id="not-object"
        ),
        pytest.param(httpx.Response(200, text="<html>"), "Could not reach", id="html"),
        pytest.param(httpx.Response(503, json={}), "Could not reach", id="503"),
    ],
)
async def test_an_unusable_discovery_document_is_refused(
    answer: httpx.Response, message: str
) -> None:
    with pytest.raises(ProviderUnreachable, match=message):
        await discover_with(answer)


def test_the_authorization_url_carries_the_challenge_and_never_the_verifier() -> None:
    """R3: S256 challenge only; redirect URI with the IP literal."""
    attempt = AttemptSecrets.fresh()
    metadata = ProviderMetadata(
        ISSUER, f"{ISSUER}/authorize?hd=example.com", f"{ISSUER}/t", f"{ISSUER}/j"
    )

    url = authorization_url(
        metadata,
        CONFIG,
        redirect_uri="http://127.0.0.1:5555/callback",
        attempt=attempt,
    )

    query = parse_qs(urlsplit(url).query)
    assert {name: values[0] for name, values in query.items()} == {
        "hd": "example.com",
        "response_type": "code",
        "client_id": "client-id",
        "redirect_uri": "http://127.0.0.1:5555/callback",
        "scope": "openid email profile",
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    assert attempt.verifier not in url
    assert CONFIG.client_secret is not None
    assert CONFIG.client_secret not in url
    assert without_query(url) == f"{ISSUER}/authorize"


async def test_the_code_exchange_sends_code_and_verifier_in_the_body_only() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id_token": "header.claims.signature"})

    async with client(handler) as http:
        id_token = await exchange_code(
            http,
            METADATA,
            CONFIG,
            code="the-code",
            redirect_uri="http://127.0.0.1:5555/callback",
            verifier="the-verifier",
        )

    assert id_token == "header.claims.signature"
    (request,) = sent
    assert request.method == "POST"
    assert request.url.query == b""
    form = {
        name: values[0] for name, values in parse_qs(request.content.decode()).items()
    }
    assert form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "http://127.0.0.1:5555/callback",
        "client_id": "client-id",
        "client_secret": "client-secret-value",
        "code_verifier": "the-verifier",
    }


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        pytest.param(
            httpx.Response(400, json={"error": "invalid_grant"}),
            ProviderError,
            '"invalid_grant"',
            id="invalid-grant",
        ),
        pytest.param(
            httpx.Response(401, json={"error": "<b>x</b>\x1b[0m"}),
            ProviderError,
            "<b>x</b>",
            id="odd-error-code",
        ),
        pytest.param(
            httpx.Response(200, json={"access_token": "only-access"}),
            ProviderError,
            "without an ID token",
            id="no-id-token",
        ),
        pytest.param(
            httpx.Response(502, text="<html>bad gateway</html>"),
            ProviderUnreachable,
            "did not answer",
            id="html-502",
        ),
        pytest.param(
            httpx.Response(200, json=["list"]),
            ProviderUnreachable,
            "malformed",
            id="not-object",
        ),
    ],
)
async def test_a_failed_code_exchange_is_a_clear_error(
    answer: httpx.Response, error: type[Exception], message: str
) -> None:
    async with client(lambda request: answer) as http:
        with pytest.raises(error, match=message) as caught:
            await exchange_code(
                http,
                METADATA,
                CONFIG,
                code="the-code",
                redirect_uri="http://127.0.0.1:1/callback",
                verifier="the-verifier",
            )
    assert "the-code" not in str(caught.value)
    assert "\x1b" not in str(caught.value)


def test_error_codes_from_the_redirect_are_reduced_to_printable_text() -> None:
    assert provider_error_message("access_denied").endswith('"access_denied".')
    assert "\n" not in provider_error_message("a\nb")
    assert len(provider_error_message("x" * 1000)) < 150
    assert '"unknown"' in provider_error_message("\x00\x01")


def test_google_is_the_default_provider_shape() -> None:
    config = OidcConfig.google("id.apps.googleusercontent.com", "not-really-secret")
    assert config.issuer == GOOGLE_ISSUER
    assert config.scopes == ("openid", "email", "profile")
    assert "not-really-secret" not in repr(config)


@pytest.mark.parametrize(
    "issuer",
    ["http://accounts.example.com", "ftp://127.0.0.1/x", "http://192.168.1.10/google"],
)
def test_an_issuer_over_plain_http_off_this_machine_is_refused(issuer: str) -> None:
    with pytest.raises(ValueError, match="https"):
        OidcConfig(issuer, "client")


def test_loopback_issuers_may_use_plain_http() -> None:
    for issuer in (
        "http://127.0.0.1:8700/google",
        "http://[::1]:1/g",
        "http://localhost/g",
    ):
        assert OidcConfig(issuer, "client").issuer == issuer


def test_the_openid_scope_is_required() -> None:
    with pytest.raises(ValueError, match="openid"):
        OidcConfig(ISSUER, "client", scopes=("email",))
