"""The one-time values of a browser sign-in: PKCE pair, state and nonce.

Every attempt gets fresh values from :mod:`secrets` (RFC 7636 section 4.1,
RFC 9700 section 2.1.1). The verifier stays in this process: only its S256
challenge goes into the authorization URL, and the verifier itself is sent
once, in the body of the token request. Each value is registered with the
log filter the moment it is made, so a slip that logs one still shows
``[redacted]``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from a7desktop.core.log import register_secret

# RFC 7636: the verifier is 43 to 128 characters from the unreserved set.
VERIFIER_MIN_LENGTH = 43
VERIFIER_MAX_LENGTH = 128

# 64 random bytes give 86 base64url characters: well inside the bounds and
# far more entropy than the 256 bits the RFC recommends as a minimum.
_VERIFIER_BYTES = 64
_STATE_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def s256_challenge(verifier: str) -> str:
    """Return the S256 code challenge of ``verifier``: BASE64URL(SHA256(v))."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_verifier() -> str:
    """Return a fresh code verifier, registered as a secret."""
    verifier = _b64url(secrets.token_bytes(_VERIFIER_BYTES))
    register_secret(verifier)
    return verifier


def new_state() -> str:
    """Return a fresh, unguessable ``state`` value, registered as a secret."""
    state = secrets.token_urlsafe(_STATE_BYTES)
    register_secret(state)
    return state


def new_nonce() -> str:
    """Return a fresh ``nonce`` for the ID token, registered as a secret."""
    nonce = secrets.token_urlsafe(_STATE_BYTES)
    register_secret(nonce)
    return nonce


def same_secret(expected: str, received: str | None) -> bool:
    """Compare two secrets in constant time; ``None`` or empty never matches.

    The comparison works on UTF-8 bytes so any text a browser sends can be
    compared without raising.
    """
    if not received or not expected:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), received.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class AttemptSecrets:
    """The values that bind one sign-in attempt together.

    Attributes:
        verifier: the PKCE code verifier; sent only in the token request.
        challenge: ``s256_challenge(verifier)``, sent in the authorization URL.
        state: echoed by the provider; ties the redirect to this attempt.
        nonce: carried into the ID token; ties the token to this attempt.

    The ``repr`` shows none of them.
    """

    verifier: str = field(repr=False)
    challenge: str = field(repr=False)
    state: str = field(repr=False)
    nonce: str = field(repr=False)

    @classmethod
    def fresh(cls) -> AttemptSecrets:
        """Make a new set; never reuse one across attempts."""
        verifier = new_verifier()
        return cls(
            verifier=verifier,
            challenge=s256_challenge(verifier),
            state=new_state(),
            nonce=new_nonce(),
        )
