"""Any answer from the server: a result or a typed error, never anything else.

The HTTP service (``a7desktop.core.api`` reading answers through
``a7desktop.core.answers``) and the session engine above it are fed every
kind of answer through ``httpx.MockTransport``: any status, headers and
body, and (for the engine) transport failures. Each call must return or
raise an :class:`~a7desktop.core.errors.A7Error` whose message is one short
line without a secret in it, even when the server echoes one back (R33,
R26). The engine must never present a refresh token twice, and must never
keep a session the vault does not (R16, R17, R33).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from bad_input import answers, app_passwords, jwt
from hypothesis import given, settings
from hypothesis import strategies as st
from ledger import tried

from a7desktop.core.api import ApiClient
from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import A7Error
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.log import register_secret
from a7desktop.core.retry import Backoff
from a7desktop.core.vault import MemoryVault

SERVER = "http://127.0.0.1:8700/api"
# Secrets the caller sends; the program registers each as it enters, so do we.
PASSWORD = "Hypothesis-Password-5e1f"
APP_PASSWORD = "app_a7_" + "5e1f" * 8
ID_TOKEN = jwt({"iss": "google", "n": "id"})
REFRESH = "refresh-Hypothesis-5e1f5e1f"
ACCESS = jwt({"n": "access"})
MCP_KEY = "mcp-Hypothesis-5e1f5e1f"
SECRETS = (PASSWORD, APP_PASSWORD, ID_TOKEN, REFRESH, ACCESS, MCP_KEY)


def register_all() -> None:
    """Register the secrets again: the log filter keeps only the newest 512."""
    for secret in SECRETS:
        register_secret(secret)


# No certificate store is read: every request here stays in the process.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

Answer = tuple[int, list[tuple[str, str]], bytes]
Call = Callable[[ApiClient], Awaitable[object]]

CALLS: dict[str, Call] = {
    "login": lambda api: api.login("someone@example.com", PASSWORD),
    "app-login": lambda api: api.app_login(APP_PASSWORD),
    "googleauth": lambda api: api.google_login(ID_TOKEN),
    "refresh": lambda api: api.refresh(REFRESH),
    "logout": lambda api: api.logout(REFRESH, ACCESS),
    "heartbeat": lambda api: api.heartbeat(),
    "list app passwords": lambda api: api.list_app_passwords(ACCESS),
    "create app password": lambda api: api.create_app_password(ACCESS, "tool"),
    "revoke app password": lambda api: api.delete_app_password(ACCESS, "id/../x"),
    "agents": lambda api: api.agents(ACCESS),
    "MCP servers": lambda api: api.mcp_servers("http://127.0.0.1:8700/mcp", MCP_KEY),
}

echoed = st.sampled_from(SECRETS)


async def _no_wait(_seconds: float) -> None:
    return None


def client(handler: Callable[[httpx.Request], httpx.Response]) -> ApiClient:
    return ApiClient(
        SERVER,
        device_fingerprint(),
        transport=httpx.MockTransport(handler),
        ssl_context=_NO_TLS,
        backoff=Backoff(base=0.0, cap=0.0),
        sleep=_no_wait,
    )


def check_error(error: A7Error, *also: str) -> None:
    """What a person is shown: one short line, no secret."""
    message = str(error)
    assert message
    assert "\n" not in message
    assert len(message) < 600
    assert "Traceback" not in message
    for secret in (*SECRETS, *also):
        assert secret not in message
        assert secret not in repr(error)


class _Wire(httpx.AsyncByteStream):
    """A body as it comes off the wire: decoded (or not) by the client."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


def respond(answer: Answer) -> httpx.Response:
    status, headers, body = answer
    return httpx.Response(status, headers=headers, stream=_Wire(body))


@pytest.mark.reliability_property("HTTP service: any status, headers and body")
@given(call=st.sampled_from(sorted(CALLS)), answer=answers(echoed))
def test_any_answer_is_a_result_or_a_typed_error(call: str, answer: Answer) -> None:
    tried()
    register_all()

    async def attempt() -> None:
        api = client(lambda request: respond(answer))
        try:
            await CALLS[call](api)
        except A7Error as error:
            check_error(error)
        finally:
            await api.aclose()

    asyncio.run(attempt())


# -- the engine over a run of refresh answers --------------------------------

# A connection that never opened: the server never saw the request.
_NEVER_ARRIVED = (httpx.ConnectError, httpx.ConnectTimeout)
_failures = st.sampled_from(
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
    ]
)
steps = st.lists(
    st.one_of(st.just("rotate"), _failures, answers(st.just(REFRESH))), max_size=5
)


def _consumes_nothing(step: object) -> bool:
    """A 5xx or a 429 (not a lockout): the server used nothing (R15)."""
    if not isinstance(step, tuple):
        return False
    status, _, body = step
    return bool(status >= 500 or (status == 429 and b"locked_out" not in body))


class Server:
    """Answers sign-in well, refresh as the drawn steps say; notes what it was sent."""

    def __init__(self, login: Answer | None, script: list[Any]) -> None:
        self.login = login
        self.script = list(script)
        self.presented: list[str] = []
        self.spent: set[str] = set()
        self.reused: list[str] = []
        self.issued = 0

    def _token_pair(self) -> tuple[str, str]:
        self.issued += 1
        return jwt({"n": self.issued}), f"rt-{id(self)}-{self.issued}"

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            if self.login is not None:
                return respond(self.login)
            access, refresh = self._token_pair()
            body = {"email": "a@example.com", "accessToken": access, "expiresIn": 600}
            return httpx.Response(
                200, json=body, headers={"set-cookie": f"refreshToken={refresh}"}
            )
        step = self.script.pop(0) if self.script else "rotate"
        if step in _NEVER_ARRIVED:
            raise step("injected", request=request)
        token = request.headers.get("cookie", "").removeprefix("refreshToken=")
        if token in self.spent:
            self.reused.append(token)
        self.presented.append(token)
        if not _consumes_nothing(step):
            self.spent.add(token)
        if isinstance(step, type) and issubclass(step, httpx.TransportError):
            raise step("injected", request=request)
        if isinstance(step, tuple):
            return respond(step)
        access, refresh = self._token_pair()
        body = {"accessToken": access, "expiresIn": 600, "message": "ok"}
        return httpx.Response(
            200, json=body, headers={"set-cookie": f"refreshToken={refresh}"}
        )


@pytest.fixture
def profile(a7home: Path, no_policy: Path) -> Profile:
    return resolve_profile("hypothesis", SERVER)


@pytest.mark.reliability_property("session engine: sign-in and refresh answers")
@given(login=st.none() | answers(st.just(PASSWORD)), script=steps)
def test_the_engine_never_presents_a_refresh_token_twice(
    profile: Profile, login: Answer | None, script: list[Any]
) -> None:
    """R15-R17, R33: typed errors; no spent token again; vault and memory agree.

    A token counts as spent once the server answered it with anything but a
    5xx or a 429 (which, by R15, consumed nothing): from then on presenting
    it again is reuse.
    """
    tried()
    register_all()
    server = Server(login, script)

    async def scenario() -> None:
        vault = MemoryVault()
        transport = httpx.MockTransport(server)
        api = ApiClient(
            SERVER, device_fingerprint(), transport=transport, ssl_context=_NO_TLS
        )
        engine = SessionEngine(profile, api, vault, backoff=Backoff(base=0.0, cap=0.0))
        try:
            await engine.start(schedule_refresh=False)
            try:
                await engine.sign_in_password("a@example.com", PASSWORD)
            except A7Error as error:
                check_error(error)
                assert await vault.load_session(profile.name) is None  # nothing kept
                return
            for _ in range(len(script) + 1):
                try:
                    await engine.refresh()
                except A7Error as error:
                    check_error(error)
                assert server.reused == []
                current = engine.session
                assert await vault.load_session(profile.name) == current
                if current is not None and current.refresh_token is not None:
                    assert current.refresh_token not in server.spent
        finally:
            await engine.aclose()

    asyncio.run(scenario())


@pytest.mark.reliability_property("app-password sign-in: a server echoing it back")
@given(data=st.data())
def test_a_server_echoing_the_app_password_never_gets_it_into_a_message(
    data: st.DataObject,
) -> None:
    """R26: whatever a server repeats back, an error message shows no credential."""
    tried()
    token = data.draw(app_passwords)
    register_secret(token)  # as sign-in does before sending it
    answer = data.draw(answers(st.just(token)))

    async def attempt() -> None:
        api = client(lambda request: respond(answer))
        try:
            await api.app_login(token)
        except A7Error as error:
            check_error(error, token)
        finally:
            await api.aclose()

    asyncio.run(attempt())


def test_the_strategies_reach_the_interesting_answers() -> None:
    """A guard on the generator: bodies of every shape do come out of it."""
    seen: set[str] = set()

    @settings(max_examples=300)
    @given(answer=answers(echoed))
    def sample(answer: Answer) -> None:
        _, _, body = answer
        try:
            json.loads(body)
        except RecursionError:
            seen.add("nested too deep")
        except ValueError:
            seen.add("not JSON")
        else:
            seen.add("JSON")

    sample()
    assert seen == {"JSON", "not JSON", "nested too deep"}
