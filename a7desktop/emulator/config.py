"""Settings of one emulator instance, and the demo account every instance seeds.

Lifetimes are in seconds so tests can shrink them; :meth:`EmulatorConfig.from_env`
reads the hour-valued variables the API guide names, for people who run the
emulator as a sandbox and want it to behave like a configured server.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

DEMO_EMAIL = "demo@agent700.example"
DEMO_PASSWORD = "demo-Agent700!"  # noqa: S105 - a published sandbox account

DEFAULT_GOOGLE_CLIENT_ID = "a7desktop-emulator.apps.googleusercontent.com"

HOUR = 3600.0
DAY = 24 * HOUR

# The guide's variable names, each with the field it sets.
_HOUR_VARIABLES = {
    "ACCESS_TOKEN_LOGIN_TIMEOUT_HOURS": "login_ttl",
    "ACCESS_TOKEN_REFRESH_TIMEOUT_HOURS": "refresh_ttl",
    "APP_PASSWORD_JWT_EXPIRY_HOURS": "app_password_ttl",
}


def _mcp_key_from_env() -> str:
    return os.environ.get("MCP_API_KEY") or secrets.token_urlsafe(24)


@dataclass
class EmulatorConfig:
    """How one emulator behaves.

    Attributes:
        login_ttl: lifetime of an access token from a sign-in (guide: 8 h).
        refresh_ttl: lifetime of an access token from a refresh (guide: 4 h).
        app_password_ttl: lifetime of an access token from app-login (12 h).
        refresh_token_ttl: lifetime of a refresh-token family, counted from
            the sign-in that started it; rotation does not extend it.
        reuse_grace: seconds after a rotation during which the rotated token
            is still accepted (answered with the family's current token);
            0 means any second use is a reuse.
        app_password_lifetime: how long a new app password stays valid.
        app_login_limit, app_login_window: app-password authentications
            allowed per client address within the sliding window.
        lockout_threshold, lockout_seconds: wrong secrets presented for one
            app password within ``lockout_seconds`` before it is locked for
            ``lockout_seconds``.
        mcp_api_key: the ``X-API-Key`` of ``/mcp/servers``; ``MCP_API_KEY``
            from the environment, else a random one.
        google_client_id, google_client_secret: the only OAuth client the
            Google stand-in knows; the secret is optional at the token endpoint.
        auto_approve: the Google consent page approves without a click.
        users: extra ``(email, password)`` accounts to seed.
        seed_demo: seed :data:`DEMO_EMAIL` / :data:`DEMO_PASSWORD`.
    """

    login_ttl: float = 8 * HOUR
    refresh_ttl: float = 4 * HOUR
    app_password_ttl: float = 12 * HOUR
    refresh_token_ttl: float = 30 * DAY
    reuse_grace: float = 0.0
    app_password_lifetime: float = 365 * DAY
    app_login_limit: int = 30
    app_login_window: float = 60.0
    lockout_threshold: int = 5
    lockout_seconds: float = 300.0
    mcp_api_key: str = field(default_factory=_mcp_key_from_env, repr=False)
    google_client_id: str = DEFAULT_GOOGLE_CLIENT_ID
    google_client_secret: str = field(
        default_factory=lambda: secrets.token_urlsafe(24), repr=False
    )
    auto_approve: bool = False
    users: list[tuple[str, str]] = field(default_factory=list, repr=False)
    seed_demo: bool = True

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **overrides: object
    ) -> EmulatorConfig:
        """Build a config whose lifetimes come from the guide's variables.

        Raises:
            ValueError: a variable is set but is not a positive number of hours.
        """
        env = os.environ if env is None else env
        values: dict[str, object] = {}
        for variable, name in _HOUR_VARIABLES.items():
            raw = env.get(variable)
            if raw is None or not raw.strip():
                continue
            try:
                hours = float(raw)
            except ValueError:
                raise ValueError(f"{variable} must be a number of hours") from None
            if not hours > 0:
                raise ValueError(f"{variable} must be a positive number of hours")
            values[name] = hours * HOUR
        if env.get("MCP_API_KEY"):
            values["mcp_api_key"] = env["MCP_API_KEY"]
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]
