"""Checking an OpenID Connect ID token before anyone relies on it.

The checks follow OpenID Connect Core §3.1.3.7: the signature against the
provider's published keys (JWKS), the issuer, the audience (our client id,
and ``azp`` when there are several audiences), the expiry and issue time
with a small leeway for clock skew, and the nonce of this attempt. A token
that fails any of them raises :class:`IdTokenRejected` and must not be sent
to the API.

The key set is fetched with httpx by the caller (:func:`fetch_jwks`) and the
key is built from it here, without network I/O: PyJWT's own JWKS client does
blocking urllib calls, which would stall the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import jwt

from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.oidc_errors import IdTokenRejected, ProviderUnreachable
from a7desktop.core.pkce import same_secret

log = get_logger("oauth")

# Google signs ID tokens with RS256; accepting only what we expect closes
# the door on "alg: none" and on HMAC with the public key as the secret.
ALGORITHMS = ("RS256",)

# Seconds of clock difference tolerated on exp and iat.
DEFAULT_LEEWAY = 60.0

_REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]

_CLOCK_HINT = "Check that this computer's clock is right, then try again."


async def fetch_jwks(http: httpx.AsyncClient, jwks_uri: str) -> dict[str, Any]:
    """Fetch the provider's JSON Web Key Set.

    Raises:
        ProviderUnreachable: no answer, an error status, or not a key set.
    """
    try:
        response = await http.get(jwks_uri, headers={"Accept": "application/json"})
        response.raise_for_status()
        jwks = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("fetching the signing keys failed: %s", type(error).__name__)
        raise ProviderUnreachable(
            "Could not fetch the sign-in provider's signing keys. Try again."
        ) from None
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
        raise ProviderUnreachable("The sign-in provider's signing keys are malformed.")
    return jwks


def _signing_key(token: str, jwks: Mapping[str, Any]) -> jwt.PyJWK:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise IdTokenRejected("The ID token is malformed.", "malformed") from None
    if header.get("alg") not in ALGORITHMS:
        raise IdTokenRejected(
            "The ID token is signed with an algorithm a7desktop does not accept.",
            "signature",
        )

    kid = header.get("kid")
    candidates = [
        key
        for key in jwks.get("keys", [])
        if isinstance(key, dict)
        and key.get("kty") == "RSA"
        and key.get("use", "sig") == "sig"
        and (kid is None or key.get("kid") == kid)
    ]
    # Without a kid the choice is only safe when there is nothing to choose.
    if len(candidates) != 1:
        raise IdTokenRejected(
            "The ID token was signed with a key the provider does not publish.",
            "key",
        )
    try:
        return jwt.PyJWK(candidates[0], algorithm="RS256")
    except jwt.PyJWTError:
        raise IdTokenRejected(
            "The sign-in provider published a signing key a7desktop cannot use.",
            "key",
        ) from None


def verify_id_token(
    token: str,
    jwks: Mapping[str, Any],
    *,
    issuer: str,
    client_id: str,
    nonce: str,
    leeway: float = DEFAULT_LEEWAY,
) -> dict[str, Any]:
    """Verify ``token`` and return its claims.

    The claims are returned for display (the email shown after sign-in);
    the security decision is this function's, and the API checks the token
    again on its side.

    Raises:
        IdTokenRejected: with ``reason`` naming the first check that failed.
    """
    register_secret(token)
    key = _signing_key(token, jwks)
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=list(ALGORITHMS),
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise IdTokenRejected(
            f"The ID token from the sign-in provider has expired. {_CLOCK_HINT}",
            "expired",
        ) from None
    except jwt.ImmatureSignatureError:
        raise IdTokenRejected(
            f"The ID token from the sign-in provider is not valid yet. {_CLOCK_HINT}",
            "not_yet_valid",
        ) from None
    except jwt.InvalidAudienceError:
        raise IdTokenRejected(
            "The ID token was issued for another application.", "audience"
        ) from None
    except jwt.InvalidIssuerError:
        raise IdTokenRejected(
            "The ID token comes from an unexpected issuer.", "issuer"
        ) from None
    except jwt.InvalidSignatureError:
        raise IdTokenRejected(
            "The ID token's signature does not verify.", "signature"
        ) from None
    except jwt.PyJWTError:
        raise IdTokenRejected("The ID token is malformed.", "malformed") from None

    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise IdTokenRejected(
            "The ID token was issued for another application.", "audience"
        )
    nonce_claim = claims.get("nonce")
    if not isinstance(nonce_claim, str) or not same_secret(nonce, nonce_claim):
        raise IdTokenRejected(
            "The ID token does not belong to this sign-in attempt (nonce mismatch).",
            "nonce",
        )
    log.debug("ID token verified for issuer %s", issuer)
    return claims
