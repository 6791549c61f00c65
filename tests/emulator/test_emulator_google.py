"""The Google stand-in: discovery, consent, PKCE, codes, ID tokens, googleauth."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from emulator_helpers import DEVICE, claims, cookie_token

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig, EmulatorState
from a7desktop.emulator.provider_keys import CodeGrant

ISSUER = "http://emulator.test/google"
CLIENT_ID = EmulatorConfig().google_client_id
REDIRECT = "http://127.0.0.1:53682/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_params(challenge: str, **changes: str | None) -> dict[str, str]:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": "state-123",
        "nonce": "nonce-456",
    }
    params.update(changes)
    return {key: value for key, value in params.items() if value is not None}


async def consent(
    client: httpx.AsyncClient,
    params: dict[str, str],
    decision: str,
    email: str | None = None,
) -> httpx.Response:
    page = await client.get("/google/authorize", params=params)
    assert page.status_code == 200, page.text
    request_id = page.text.split('name="request_id" value="')[1].split('"')[0]
    form = {
        "request_id": request_id,
        "decision": decision,
        "email": email or DEMO_EMAIL,
    }
    return await client.post(
        "/google/authorize",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


def query(response: httpx.Response) -> dict[str, str]:
    location = urlsplit(response.headers["location"])
    return {key: values[0] for key, values in parse_qs(location.query).items()}


async def exchange(
    client: httpx.AsyncClient, code: str, verifier: str, **changes: str
) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": CLIENT_ID,
        "code_verifier": verifier,
        **changes,
    }
    return await client.post(
        "/google/token",
        content=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )


async def id_token_for(client: httpx.AsyncClient, email: str = DEMO_EMAIL) -> str:
    verifier, challenge = pkce()
    approved = await consent(client, authorize_params(challenge), "approve", email)
    answer = await exchange(client, query(approved)["code"], verifier)
    token: str = answer.json()["id_token"]
    return token


async def test_discovery_names_the_endpoints_and_s256(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/google/.well-known/openid-configuration")

    document = response.json()
    assert document["issuer"] == ISSUER
    assert document["authorization_endpoint"] == ISSUER + "/authorize"
    assert document["token_endpoint"] == ISSUER + "/token"
    assert document["jwks_uri"] == ISSUER + "/jwks"
    assert document["response_types_supported"] == ["code"]
    assert document["code_challenge_methods_supported"] == ["S256"]


async def test_consent_page_has_approve_deny_and_the_demo_email(
    client: httpx.AsyncClient,
) -> None:
    _, challenge = pkce()

    page = await client.get("/google/authorize", params=authorize_params(challenge))

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="approve"' in page.text
    assert 'id="deny"' in page.text
    assert f'value="{DEMO_EMAIL}"' in page.text


async def test_login_hint_fills_the_email_and_markup_is_escaped(
    client: httpx.AsyncClient,
) -> None:
    _, challenge = pkce()
    params = authorize_params(challenge, login_hint='"><script>x</script>')

    page = await client.get("/google/authorize", params=params)

    assert "<script>x" not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize(
    "changes",
    [
        {"redirect_uri": "http://localhost:53682/callback"},
        {"redirect_uri": "https://127.0.0.1:53682/callback"},
        {"redirect_uri": "http://192.168.1.5:53682/callback"},
        {"redirect_uri": "http://127.0.0.1.evil.example:80/callback"},
        {"redirect_uri": "http://user@127.0.0.1:53682/callback"},
        {"redirect_uri": "http://127.0.0.1:notaport/callback"},
        {"redirect_uri": None},
        {"client_id": "someone-else"},
        {"response_type": "token"},
        {"code_challenge": None},
        {"code_challenge_method": "plain"},
        {"code_challenge_method": None},
        {"state": None},
    ],
    ids=[
        "localhost",
        "https",
        "lan",
        "lookalike",
        "userinfo",
        "bad-port",
        "no-redirect",
        "client",
        "implicit",
        "no-challenge",
        "plain",
        "no-method",
        "no-state",
    ],
)
async def test_bad_authorization_requests_get_an_error_page_not_a_redirect(
    client: httpx.AsyncClient, changes: dict[str, str | None]
) -> None:
    _, challenge = pkce()

    page = await client.get(
        "/google/authorize", params=authorize_params(challenge, **changes)
    )

    assert page.status_code == 400
    assert "location" not in page.headers
    assert 'id="approve"' not in page.text


@pytest.mark.parametrize(
    "redirect", ["http://[::1]:41000/cb", "http://127.0.0.1:1/", "http://127.0.0.1/cb"]
)
async def test_any_loopback_ip_literal_and_port_is_accepted(
    client: httpx.AsyncClient, redirect: str
) -> None:
    _, challenge = pkce()

    page = await client.get(
        "/google/authorize", params=authorize_params(challenge, redirect_uri=redirect)
    )

    assert page.status_code == 200


async def test_approve_redirects_with_code_and_state(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()

    approved = await consent(client, authorize_params(challenge), "approve")

    assert approved.status_code in (302, 303)
    assert approved.headers["location"].startswith(REDIRECT + "?")
    assert query(approved)["state"] == "state-123"
    assert len(query(approved)["code"]) > 20


async def test_deny_redirects_with_access_denied_and_state(
    client: httpx.AsyncClient,
) -> None:
    _, challenge = pkce()

    denied = await consent(client, authorize_params(challenge), "deny")

    assert query(denied) == {"error": "access_denied", "state": "state-123"}


async def test_a_consent_answer_counts_once(client: httpx.AsyncClient) -> None:
    _, challenge = pkce()
    page = await client.get("/google/authorize", params=authorize_params(challenge))
    request_id = page.text.split('name="request_id" value="')[1].split('"')[0]
    form = urlencode(
        {"request_id": request_id, "decision": "approve", "email": DEMO_EMAIL}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    first = await client.post("/google/authorize", content=form, headers=headers)
    second = await client.post("/google/authorize", content=form, headers=headers)

    assert first.status_code == 303
    assert second.status_code == 400


async def test_auto_approve_skips_the_page(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    _, challenge = pkce()
    state.set_auto_approve(True)

    response = await client.get(
        "/google/authorize",
        params=authorize_params(challenge, login_hint="carol@example.com"),
    )

    assert response.status_code in (302, 303)
    assert query(response)["state"] == "state-123"
    state.set_auto_approve(False)
    page = await client.get("/google/authorize", params=authorize_params(challenge))
    assert 'id="approve"' in page.text


async def test_token_answers_an_rs256_id_token_that_the_jwks_verifies(
    client: httpx.AsyncClient,
) -> None:
    verifier, challenge = pkce()
    approved = await consent(client, authorize_params(challenge), "approve")

    answer = await exchange(client, query(approved)["code"], verifier)

    assert answer.status_code == 200
    body = answer.json()
    assert {"id_token", "access_token", "token_type", "expires_in"} <= set(body)
    keys = (await client.get("/google/jwks")).json()["keys"]
    (jwk,) = keys
    assert jwk["kid"] == jwt.get_unverified_header(body["id_token"])["kid"]
    key = jwt.PyJWK(jwk).key
    payload = jwt.decode(
        body["id_token"], key, algorithms=["RS256"], audience=CLIENT_ID
    )
    assert payload["iss"] == ISSUER
    assert payload["email"] == DEMO_EMAIL
    assert payload["email_verified"] is True
    assert payload["nonce"] == "nonce-456"
    assert {"sub", "iat", "exp"} <= set(payload)


async def test_without_a_nonce_the_id_token_has_none(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    approved = await consent(client, authorize_params(challenge, nonce=None), "approve")

    answer = await exchange(client, query(approved)["code"], verifier)

    assert "nonce" not in claims(answer.json()["id_token"])


async def test_codes_are_single_use(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    code = query(await consent(client, authorize_params(challenge), "approve"))["code"]

    first = await exchange(client, code, verifier)
    second = await exchange(client, code, verifier)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "changes",
    [
        {"code_verifier": "w" * 43},
        {"code_verifier": "short"},
        {"redirect_uri": "http://127.0.0.1:1/other"},
        {"code": "made-up"},
        {"grant_type": "refresh_token"},
        {"client_id": "someone-else"},
        {"client_secret": "wrong"},
    ],
    ids=["verifier", "short-verifier", "redirect", "code", "grant", "client", "secret"],
)
async def test_token_refuses_mismatches(
    client: httpx.AsyncClient, changes: dict[str, str]
) -> None:
    verifier, challenge = pkce()
    code = query(await consent(client, authorize_params(challenge), "approve"))["code"]

    answer = await exchange(client, changes.pop("code", code), verifier, **changes)

    assert answer.status_code in (400, 401)
    assert answer.json()["error"] in {
        "invalid_grant",
        "unsupported_grant_type",
        "invalid_client",
    }
    assert "id_token" not in answer.json()


async def test_a_wrong_verifier_spends_the_code(client: httpx.AsyncClient) -> None:
    verifier, challenge = pkce()
    code = query(await consent(client, authorize_params(challenge), "approve"))["code"]

    await exchange(client, code, "w" * 43)
    retry = await exchange(client, code, verifier)

    assert retry.json()["error"] == "invalid_grant"


async def test_the_right_client_secret_is_accepted(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    verifier, challenge = pkce()
    code = query(await consent(client, authorize_params(challenge), "approve"))["code"]

    answer = await exchange(
        client, code, verifier, client_secret=state.config.google_client_secret
    )

    assert answer.status_code == 200


async def test_codes_expire(client: httpx.AsyncClient, state: EmulatorState) -> None:
    verifier, challenge = pkce()
    code = query(await consent(client, authorize_params(challenge), "approve"))["code"]
    state.clock.advance(121)

    answer = await exchange(client, code, verifier)

    assert answer.json()["error"] == "invalid_grant"


async def googleauth(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/api/auth/googleauth", json={"token": token}, headers=DEVICE
    )


async def test_googleauth_signs_in_like_login(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    response = await googleauth(client, await id_token_for(client))

    assert response.status_code == 200
    assert response.json()["email"] == DEMO_EMAIL
    assert claims(response.json()["accessToken"])["auth_type"] == "google_oauth"
    refreshed = await client.post(
        "/api/auth/refresh",
        headers={**DEVICE, "Cookie": f"refreshToken={cookie_token(response)}"},
    )
    assert claims(refreshed.json()["accessToken"])["auth_type"] == "google_oauth"
    assert state.events[-2].detail == {"method": "google_oauth"}


async def test_googleauth_creates_an_unknown_user_without_a_password(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    response = await googleauth(client, await id_token_for(client, "Dave@Example.com"))

    assert response.json()["email"] == "dave@example.com"
    assert "dave@example.com" in state.users
    login = await client.post(
        "/api/auth/login", json={"email": "dave@example.com", "password": "anything"}
    )
    assert login.status_code == 401


def forged(state: EmulatorState, **changes: Any) -> str:
    """An ID token from the provider's own key with some claims changed."""
    grant = CodeGrant(CLIENT_ID, REDIRECT, "", None, DEMO_EMAIL, 0)
    with state.lock:
        token = state.google.mint_id_token(grant, ISSUER, state.clock.now())
    payload = claims(token)
    payload.update(changes)
    key: rsa.RSAPrivateKey = state.google.key
    return jwt.encode(
        payload, key, algorithm="RS256", headers={"kid": state.google.kid}
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"aud": "someone-else"}, "another client"),
        ({"iss": "https://accounts.google.com"}, "another issuer"),
        ({"email_verified": False}, "not verified"),
    ],
    ids=["audience", "issuer", "unverified"],
)
async def test_googleauth_refuses_wrong_claims(
    client: httpx.AsyncClient,
    state: EmulatorState,
    changes: dict[str, Any],
    reason: str,
) -> None:
    response = await googleauth(client, forged(state, **changes))

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_google_token"
    assert reason in response.json()["message"]


async def test_googleauth_refuses_an_expired_id_token(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    token = await id_token_for(client)
    state.clock.advance(3601)

    response = await googleauth(client, token)

    assert response.json()["error"] == "invalid_google_token"
    assert "expired" in response.json()["message"]


async def test_googleauth_refuses_another_key_and_garbage(
    client: httpx.AsyncClient, state: EmulatorState
) -> None:
    good = claims(await id_token_for(client))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signed_elsewhere = jwt.encode(
        good, stranger, algorithm="RS256", headers={"kid": state.google.kid}
    )

    for token in (signed_elsewhere, "not-a-jwt", "eyJhbGciOiJub25lIn0.e30."):
        response = await googleauth(client, token)
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_google_token"
