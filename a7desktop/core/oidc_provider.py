"""Talking to an OpenID Connect provider: discovery, the authorization URL,
and the exchange of a code for tokens.

Provider-agnostic: everything comes from the issuer's
``/.well-known/openid-configuration``. Google is the default issuer; tests
and the demo point at the emulator's stand-in on loopback. Plain ``http``
is accepted only for loopback addresses; any other endpoint must be https.
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import truststore

from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.oidc_errors import ProviderError, ProviderUnreachable
from a7desktop.core.pkce import AttemptSecrets

log = get_logger("oauth")

GOOGLE_ISSUER = "https://accounts.google.com"
DEFAULT_SCOPES = ("openid", "email", "profile")

# Explicit deadlines for every phase: a provider that stalls fails here
# instead of holding the sign-in until the overall timeout.
HTTP_TIMEOUT = httpx.Timeout(connect=10.0, read=20.0, write=10.0, pool=10.0)

# Provider error codes are short identifiers; anything else is shown only
# as printable text, cut short.
_ERROR_CODE = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """Which provider to use and who we are to it.

    Attributes:
        issuer: the provider's issuer URL, e.g. :data:`GOOGLE_ISSUER`.
        client_id: our OAuth client id at that provider.
        client_secret: the desktop client's "secret". Google issues one for
            installed apps and does not treat it as confidential; it is still
            kept out of logs and the ``repr``.
        scopes: the scopes asked for; ``openid`` must be among them.
    """

    issuer: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    def __post_init__(self) -> None:
        if "openid" not in self.scopes:
            raise ValueError("an OpenID Connect sign-in needs the 'openid' scope")
        if not is_allowed_endpoint(self.issuer):
            raise ValueError("the issuer must be https, or http on a loopback address")
        register_secret(self.client_secret)

    @classmethod
    def google(cls, client_id: str, client_secret: str | None = None) -> OidcConfig:
        """The configuration for Google's accounts service."""
        return cls(GOOGLE_ISSUER, client_id, client_secret)


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    """The endpoints a sign-in needs, from the provider's discovery document."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str


def is_loopback_url(url: str) -> bool:
    """Whether ``url`` points at this machine (an IP loopback or ``localhost``)."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_allowed_endpoint(url: str) -> bool:
    """Whether we may talk to ``url``: https anywhere, http only on loopback."""
    scheme = urlsplit(url).scheme
    return scheme == "https" or (scheme == "http" and is_loopback_url(url))


def without_query(url: str) -> str:
    """Return ``url`` without query or fragment: the only form we ever log."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def new_http_client(issuer: str) -> httpx.AsyncClient:
    """An HTTP client for the provider: system trust store, explicit timeouts.

    Proxy settings from the environment apply to a remote provider only;
    a loopback provider is always reached directly.
    """
    return httpx.AsyncClient(
        timeout=HTTP_TIMEOUT,
        verify=truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        trust_env=not is_loopback_url(issuer),
        follow_redirects=False,
    )


def _describe_error_code(value: str) -> str:
    if _ERROR_CODE.fullmatch(value):
        return value
    printable = "".join(ch for ch in value if ch.isprintable())
    return printable[:80] or "unknown"


def provider_error_message(error: str) -> str:
    """A one-line message for an ``error`` value the provider sent back.

    The value is reduced to printable text and cut short, since it came
    from a redirect that anyone on this machine could have sent.
    """
    return f'The sign-in provider reported an error: "{_describe_error_code(error)}".'


async def discover(http: httpx.AsyncClient, issuer: str) -> ProviderMetadata:
    """Fetch and check the issuer's discovery document.

    Raises:
        ProviderUnreachable: no answer, or a document we cannot use (wrong
            issuer, missing or insecure endpoints, no S256 PKCE).
    """
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = await http.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document: Any = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning("discovery at %s failed: %s", url, type(error).__name__)
        raise ProviderUnreachable(
            "Could not reach the sign-in provider. Check the connection and try again."
        ) from None
    if not isinstance(document, dict):
        raise ProviderUnreachable("The sign-in provider's configuration is malformed.")

    # OpenID Connect Discovery §4.3: the document must name the issuer we asked.
    if document.get("issuer") != issuer:
        raise ProviderUnreachable(
            "The sign-in provider's configuration names a different issuer."
        )
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not is_allowed_endpoint(value):
            raise ProviderUnreachable(
                f"The sign-in provider's configuration has no usable {name}."
            )
        endpoints[name] = value
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise ProviderUnreachable("The sign-in provider does not support PKCE S256.")

    return ProviderMetadata(issuer=issuer, **endpoints)


def authorization_url(
    metadata: ProviderMetadata,
    config: OidcConfig,
    *,
    redirect_uri: str,
    attempt: AttemptSecrets,
) -> str:
    """Return the URL of the consent page for one attempt.

    It carries the S256 challenge, never the verifier. It does carry the
    state and nonce, so it is shown to the person (to copy into a browser)
    but never logged: log :func:`without_query` of it instead.
    """
    params = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(config.scopes),
        "state": attempt.state,
        "nonce": attempt.nonce,
        "code_challenge": attempt.challenge,
        "code_challenge_method": "S256",
    }
    parts = urlsplit(metadata.authorization_endpoint)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    return urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urlencode(query), parts.fragment)
    )


async def exchange_code(
    http: httpx.AsyncClient,
    metadata: ProviderMetadata,
    config: OidcConfig,
    *,
    code: str,
    redirect_uri: str,
    verifier: str,
) -> str:
    """Exchange an authorization code for tokens and return the ID token.

    The code and verifier travel only in the POST body. Every token in the
    answer is registered as a secret; only the ID token is kept.

    Raises:
        ProviderUnreachable: no answer or a malformed one.
        ProviderError: the provider refused the code.
    """
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": config.client_id,
        "code_verifier": verifier,
    }
    if config.client_secret:
        form["client_secret"] = config.client_secret
    try:
        response = await http.post(
            metadata.token_endpoint, data=form, headers={"Accept": "application/json"}
        )
        answer: Any = response.json()
    except (httpx.HTTPError, ValueError) as error:
        log.warning(
            "token request to %s failed: %s",
            without_query(metadata.token_endpoint),
            type(error).__name__,
        )
        raise ProviderUnreachable(
            "The sign-in provider did not answer the code exchange. Try again."
        ) from None
    if not isinstance(answer, dict):
        raise ProviderUnreachable("The sign-in provider's token answer is malformed.")
    for name in ("id_token", "access_token", "refresh_token"):
        if isinstance(answer.get(name), str):
            register_secret(answer[name])

    if response.status_code != 200:
        reported = answer.get("error")
        code_text = (
            _describe_error_code(reported) if isinstance(reported, str) else "unknown"
        )
        log.warning("token request refused: %s (%d)", code_text, response.status_code)
        raise ProviderError(
            f'The sign-in provider refused the sign-in code ("{code_text}"). Try again.'
        )
    id_token = answer.get("id_token")
    if not isinstance(id_token, str) or not id_token:
        raise ProviderError("The sign-in provider answered without an ID token.")
    return id_token
