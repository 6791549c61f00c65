"""Which server addresses a7desktop will talk to.

Tokens travel in every request, so a server URL must be ``https://``; plain
``http://`` is accepted only for this machine's loopback interface (the local
emulator), where nothing crosses a network.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from a7desktop.core.errors import InsecureServer

# The names the loopback check accepts besides IP literals in 127.0.0.0/8 and ::1.
_LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_host(host: str) -> bool:
    """True for ``localhost``, ``127.0.0.0/8`` and ``::1`` (brackets allowed)."""
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def validate_server_url(url: str) -> str:
    """Return ``url`` normalised (no trailing slash) if it is safe to send tokens to.

    Raises:
        InsecureServer: for ``http://`` to anything but loopback, for another
            scheme, or for a URL that is not a plain server address (user
            name or password in it, a query or a fragment, no host).
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InsecureServer(f"{text!r} is not a valid server URL") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""

    if not host or scheme not in ("https", "http"):
        raise InsecureServer(
            f"{text!r} is not a server URL; use one like https://api.agent700.ai/api"
        )
    if parts.username is not None or parts.password is not None:
        raise InsecureServer("a server URL must not contain a user name or password")
    if parts.query or parts.fragment:
        raise InsecureServer("a server URL must not contain a query or a fragment")
    if scheme == "http" and not is_loopback_host(host):
        raise InsecureServer(
            f"refusing plain http:// to {host}: tokens would cross the network "
            "unencrypted; use https://"
        )

    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))
