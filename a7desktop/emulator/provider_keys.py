"""The Google stand-in's signing key, its pending consents and its codes.

The RSA key is made on first use, so an emulator that never signs anyone in
with Google does not pay for it. Callers hold the state's lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

CODE_LIFETIME = 120.0
CONSENT_LIFETIME = 600.0
ID_TOKEN_LIFETIME = 3600.0


@dataclass(frozen=True, repr=False)
class AuthorizationRequest:
    """A validated ``/authorize`` request waiting for the person's answer."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    state: str
    nonce: str | None
    login_hint: str | None
    expires_at: float


@dataclass(repr=False)
class CodeGrant:
    """What an authorization code stands for; usable once, briefly."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str | None
    email: str
    expires_at: float
    used: bool = False


class IdTokenRejected(Exception):
    """An ID token failed one check; the message says which."""


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier."""
    hashed = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(hashed).rstrip(b"=").decode("ascii")


def google_subject(email: str) -> str:
    """A stable numeric ``sub`` for an email, shaped like Google's."""
    return str(int(hashlib.sha256(email.encode()).hexdigest()[:16], 16))


class GoogleKeys:
    """Signing key, pending consent requests and authorization codes."""

    def __init__(self) -> None:
        self.kid = secrets.token_hex(8)
        self._key: rsa.RSAPrivateKey | None = None
        self.pending: dict[str, AuthorizationRequest] = {}
        self.codes: dict[str, CodeGrant] = {}

    @property
    def key(self) -> rsa.RSAPrivateKey:
        if self._key is None:
            self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self._key

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def hold(self, request: AuthorizationRequest) -> str:
        """Keep a request until the consent page is answered; return its id."""
        request_id = secrets.token_urlsafe(16)
        self.pending[request_id] = request
        return request_id

    def issue_code(self, request: AuthorizationRequest, email: str, now: float) -> str:
        code = secrets.token_urlsafe(32)
        self.codes[code] = CodeGrant(
            client_id=request.client_id,
            redirect_uri=request.redirect_uri,
            code_challenge=request.code_challenge,
            nonce=request.nonce,
            email=email,
            expires_at=now + CODE_LIFETIME,
        )
        return code

    def redeem(
        self, code: str, client_id: str, redirect_uri: str, verifier: str, now: float
    ) -> CodeGrant:
        """Spend a code. Any attempt uses it up, right or wrong.

        Raises:
            IdTokenRejected: the code is unknown, used, expired, or does not
                match the client, the redirect URI or the PKCE verifier.
        """
        grant = self.codes.get(code)
        if grant is None:
            raise IdTokenRejected("unknown authorization code")
        if grant.used:
            raise IdTokenRejected("the authorization code was already used")
        grant.used = True
        if now >= grant.expires_at:
            raise IdTokenRejected("the authorization code has expired")
        if client_id != grant.client_id:
            raise IdTokenRejected("the code was issued to another client")
        if redirect_uri != grant.redirect_uri:
            raise IdTokenRejected("redirect_uri differs from the authorization request")
        if not hmac.compare_digest(s256(verifier), grant.code_challenge):
            raise IdTokenRejected("code_verifier does not match the code_challenge")
        return grant

    def mint_id_token(self, grant: CodeGrant, issuer: str, now: float) -> str:
        claims: dict[str, Any] = {
            "iss": issuer,
            "aud": grant.client_id,
            "azp": grant.client_id,
            "sub": google_subject(grant.email),
            "email": grant.email,
            "email_verified": True,
            "iat": int(now),
            "exp": int(now + ID_TOKEN_LIFETIME),
        }
        if grant.nonce is not None:
            claims["nonce"] = grant.nonce
        return jwt.encode(
            claims, self.key, algorithm="RS256", headers={"kid": self.kid}
        )

    def verify_id_token(
        self, token: str, issuer: str, audience: str, now: float
    ) -> dict[str, Any]:
        """Check an ID token the way a relying party must; return its claims.

        Raises:
            IdTokenRejected: naming the check that failed.
        """
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise IdTokenRejected("the Google ID token is malformed") from None
        if header.get("kid") != self.kid or header.get("alg") != "RS256":
            raise IdTokenRejected("the Google ID token was not signed by this provider")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.key.public_key(),
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                # Expiry is checked below against the emulator's clock.
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["iss", "aud", "sub", "iat", "exp", "email"],
                },
            )
        except jwt.InvalidSignatureError:
            raise IdTokenRejected("the Google ID token's signature is wrong") from None
        except jwt.InvalidAudienceError:
            raise IdTokenRejected(
                "the Google ID token was issued for another client"
            ) from None
        except jwt.InvalidIssuerError:
            raise IdTokenRejected(
                "the Google ID token comes from another issuer"
            ) from None
        except jwt.PyJWTError:
            raise IdTokenRejected("the Google ID token is malformed") from None
        if now >= float(claims["exp"]):
            raise IdTokenRejected("the Google ID token has expired")
        if claims.get("email_verified") is not True:
            raise IdTokenRejected("the Google account's email is not verified")
        return claims
