"""A local emulator of the Agent700 authentication API.

It serves, on loopback only, every endpoint of the API guide with the guide's
field names and failure modes, a stand-in Google sign-in provider, and test
controls. It backs the test suite, the benchmarks and the demo, and works as
a sandbox for anyone building on Agent700::

    python -m a7desktop.emulator --port 8700 --user alice@example.com:Secret1!

or in-process::

    app = create_app(EmulatorConfig(login_ttl=60))
    httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://emu")

or on a real socket from a background thread::

    with EmulatorServer(EmulatorConfig(), tls=True) as server:
        server.url, server.ca_pem, server.state.clock.advance(3600)

API (``/api``; errors are ``{"error": code, "message": text}``):

=======================================  ====================================
``POST /auth/login``                     ``{email, password}``; sets the
                                         ``refreshToken`` cookie
``POST /auth/googleauth``                ``{token: <Google ID token>}``
``POST /auth/app-login``                 ``{token: app_a7_…}``; no cookie
``POST /auth/refresh``                   ``Cookie: refreshToken=…``; rotates
``POST /auth/logout``                    revokes the family, expires cookie
``GET/POST /auth/app-passwords``         list (a bare JSON list) / create
``DELETE /auth/app-passwords/<id>``      revoke
``GET /auth/heartbeat``                  no authentication
``GET /agents``                          Bearer access token or app password
``GET /mcp/servers`` (not under /api)    ``X-API-Key``
=======================================  ====================================

The rules behind them are documented where they live: device fingerprints in
:mod:`.fingerprint`, rotation and reuse in :mod:`.sessions`, rate limit and
lockout in :mod:`.app_passwords`, the Google stand-in in :mod:`.provider`,
fault kinds in :mod:`.faults`.

Test controls over HTTP, under ``/__emulator__`` (JSON bodies; each is also a
method of :class:`EmulatorState`):

===================================  =========================================
``GET /clock``                       ``{now, offset}``
``POST /clock``                      ``{"advance": s}`` or ``{"offset": s}``
``GET /faults``                      the armed faults
``POST /faults``                     ``{"endpoint", "kind", "times"?, …params}``
``DELETE /faults``                   disarm all
``POST /revoke``                     ``{"email"}``: end every session
``POST /forget-devices``             ``{"email"}``: untrust every device
``POST /users``                      ``{"email", "password",
                                     "organization_name"?, "role"?}``
``POST /auto-approve``               ``{"enabled": bool}`` (Google consent)
``GET /events``                      ``[{name, email, at, detail}]``
``GET /refresh-log``                 ``[{tokenId, outcome, at}]``
``GET /requests``                    ``[{method, path, headers}]``
===================================  =========================================

The controls have no authentication: anything that can reach the loopback
port can steer the emulator, which is why it never listens elsewhere.
"""

from a7desktop.emulator.app import create_app
from a7desktop.emulator.config import DEMO_EMAIL, DEMO_PASSWORD, EmulatorConfig
from a7desktop.emulator.faults import ConnectionDropped
from a7desktop.emulator.server import EmulatorServer
from a7desktop.emulator.state import (
    EmulatorState,
    RefreshAttempt,
    RequestRecord,
    SecurityEvent,
)

__all__ = [
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "ConnectionDropped",
    "EmulatorConfig",
    "EmulatorServer",
    "EmulatorState",
    "RefreshAttempt",
    "RequestRecord",
    "SecurityEvent",
    "create_app",
]
