"""ID token checks: signature against the JWKS, issuer, audience, time, nonce."""

from __future__ import annotations

import socket
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from a7desktop.core.idtoken import fetch_jwks, verify_id_token
from a7desktop.core.oidc_errors import IdTokenRejected, ProviderUnreachable

ISSUER = "http://127.0.0.1:9/google"
CLIENT_ID = "a7desktop-test.apps.example"
NONCE = "nonce-for-this-attempt-0123456789"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


KEY = new_key()
OTHER_KEY = new_key()


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    jwk.update(kid=kid, use="sig", alg="RS256")
    return jwk


JWKS = {"keys": [jwk_of(KEY, "k1"), jwk_of(OTHER_KEY, "k2")]}


def sign(
    key: rsa.RSAPrivateKey = KEY,
    *,
    kid: str | None = "k1",
    algorithm: str = "RS256",
    drop: tuple[str, ...] = (),
    **overrides: Any,
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "sub": "1234567890",
        "email": "someone@example.com",
        "iat": now,
        "exp": now + 3600,
        "nonce": NONCE,
    }
    claims.update(overrides)
    for name in drop:
        claims.pop(name)
    headers = {"kid": kid} if kid else {}
    return jwt.encode(claims, key, algorithm=algorithm, headers=headers)


def verify(token: str, jwks: dict[str, Any] = JWKS) -> dict[str, Any]:
    return verify_id_token(token, jwks, issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE)


def test_a_good_token_verifies_and_returns_its_claims() -> None:
    claims = verify(sign())
    assert claims["email"] == "someone@example.com"
    assert claims["aud"] == CLIENT_ID


def test_a_token_without_kid_verifies_when_the_set_has_one_key() -> None:
    assert verify(sign(kid=None), {"keys": [jwk_of(KEY, "only")]})["sub"]


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        pytest.param(sign(OTHER_KEY, kid="k1"), "signature", id="forged-signature"),
        pytest.param(sign(iss="https://evil.example"), "issuer", id="issuer"),
        pytest.param(sign(aud="someone-else"), "audience", id="audience"),
        pytest.param(sign(aud=[CLIENT_ID, "other"], azp="other"), "audience", id="azp"),
        pytest.param(
            sign(iat=int(time.time()) - 7200, exp=int(time.time()) - 600),
            "expired",
            id="expired",
        ),
        pytest.param(
            sign(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200),
            "not_yet_valid",
            id="issued-in-the-future",
        ),
        pytest.param(sign(nonce="another-attempt-nonce"), "nonce", id="nonce"),
        pytest.param(sign(drop=("nonce",)), "nonce", id="no-nonce"),
        pytest.param(sign(nonce=12345), "nonce", id="nonce-not-text"),
        pytest.param(sign(drop=("exp",)), "malformed", id="no-expiry"),
        pytest.param(sign(kid="unknown"), "key", id="unknown-kid"),
        pytest.param(sign(kid=None), "key", id="no-kid-among-many"),
        pytest.param("not.a.token", "malformed", id="malformed"),
    ],
)
def test_a_token_failing_a_check_is_rejected(token: str, reason: str) -> None:
    """R5: nonce, audience, issuer or expiry mismatch: not passed on."""
    with pytest.raises(IdTokenRejected) as caught:
        verify(token)
    assert caught.value.reason == reason
    assert token not in str(caught.value)


def test_a_token_expired_within_the_leeway_still_verifies() -> None:
    now = int(time.time())
    assert verify(sign(iat=now - 3600, exp=now - 30))


def test_unsigned_and_hmac_tokens_are_refused() -> None:
    """The public key must never double as an HMAC secret; "none" never passes."""
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "nonce": NONCE}
    unsigned = jwt.encode(claims, "", algorithm="none")
    hmac_token = jwt.encode(claims, "a-shared-secret-of-32-bytes-or-more!!")
    for token in (unsigned, hmac_token):
        with pytest.raises(IdTokenRejected) as caught:
            verify(token)
        assert caught.value.reason == "signature"


def test_an_unusable_published_key_is_a_key_error() -> None:
    broken = {"keys": [{"kty": "RSA", "kid": "k1", "n": "AQAB", "e": "@@"}]}
    with pytest.raises(IdTokenRejected) as caught:
        verify(sign(), broken)
    assert caught.value.reason == "key"


async def test_fetching_keys_from_a_closed_port_is_provider_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient(trust_env=False) as http:
        with pytest.raises(ProviderUnreachable, match="signing keys"):
            await fetch_jwks(http, f"http://127.0.0.1:{port}/jwks")


async def test_a_key_set_of_the_wrong_shape_is_refused() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": "nope"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http:
        with pytest.raises(ProviderUnreachable, match="malformed"):
            await fetch_jwks(http, "http://127.0.0.1:1/jwks")
