"""Anything typed, pasted or found in a file: a clear error or a clean result.

The parsers and forms of the service layer and the command line are fed
arbitrary text (see ``bad_input``): Retry-After values, pasted app
passwords, the sign-in form's email and password, ``a7desktop config set``
values, server addresses, the policy file and the stored-session item. Each
ends in a typed :class:`~a7desktop.core.errors.A7Error` with a one-line
message, or in a value that is right, never in another exception (R28,
R30, R33).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from bad_input import (
    BLANKS,
    INVISIBLE,
    any_text,
    app_passwords,
    deep_json,
    json_values,
    mixed,
    plain_text,
)
from hypothesis import given
from hypothesis import strategies as st
from ledger import tried

from a7desktop.cli import config_cmds
from a7desktop.core.api import ApiClient
from a7desktop.core.config import Profile, load_settings, resolve_profile
from a7desktop.core.engine import SessionEngine
from a7desktop.core.errors import A7Error, BadCredentials, InvalidInput, VaultError
from a7desktop.core.fingerprint import device_fingerprint
from a7desktop.core.models import StoredSession, is_app_password, normalize_app_password
from a7desktop.core.policy import load_policy
from a7desktop.core.retry import MAX_RETRY_AFTER, parse_retry_after
from a7desktop.core.urls import is_loopback_host, validate_server_url
from a7desktop.core.vault import MemoryVault

SERVER = "http://127.0.0.1:8700/api"
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def one_line(error: A7Error) -> None:
    assert str(error)
    assert "\n" not in str(error)


@pytest.mark.reliability_property("Retry-After header values")
@given(value=st.none() | any_text | st.integers().map(str), now=st.floats(0, 4e9))
def test_retry_after_is_a_capped_wait_or_nothing(value: str | None, now: float) -> None:
    """R30: seconds or an HTTP date; absurd capped, invalid means "use backoff"."""
    tried()
    wait = parse_retry_after(value, now=now)
    assert wait is None or 0.0 <= wait <= MAX_RETRY_AFTER


@pytest.mark.reliability_property("pasted app password")
@given(text=mixed(app_passwords))
def test_a_pasted_app_password_is_checked_before_anything_is_sent(text: str) -> None:
    """R28: a well-formed token, or InvalidInput saying what is wrong."""
    tried()
    try:
        token = normalize_app_password(text)
    except InvalidInput as error:
        one_line(error)
    else:
        assert is_app_password(token)
        around = text.replace(token, "", 1)
        assert token in text
        assert all(c.isspace() or c in INVISIBLE for c in around)  # trimmed only


@pytest.mark.reliability_property("pasted app password wrapped in blanks")
@given(token=app_passwords, before=st.text(BLANKS), after=st.text(BLANKS))
def test_blanks_and_newlines_around_a_pasted_app_password_are_trimmed(
    token: str, before: str, after: str
) -> None:
    """R28: spaces, tabs and line breaks around the paste do not matter."""
    tried()
    assert normalize_app_password(before + token + after) == token


class CountingServer:
    """Refuses every sign-in (401) and counts the requests that reached it."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        body = {"error": "invalid_credentials", "message": "No."}
        return httpx.Response(401, json=body)


@pytest.fixture
def profile(a7home: Path, no_policy: Path) -> Profile:
    return resolve_profile("hypothesis-forms", SERVER)


def sign_in_with(profile: Profile, attempt: str, *values: str) -> tuple[object, int]:
    """Run one sign-in through the engine; the error (or None) and requests sent."""
    server = CountingServer()

    async def run() -> object:
        transport = httpx.MockTransport(server)
        api = ApiClient(
            SERVER, device_fingerprint(), transport=transport, ssl_context=_NO_TLS
        )
        engine = SessionEngine(profile, api, MemoryVault())
        try:
            await getattr(engine, attempt)(*values)
        except A7Error as error:
            return error
        finally:
            await engine.aclose()
        return None

    return asyncio.run(run()), server.requests


@pytest.mark.reliability_property("sign-in form: email and password")
@given(email=mixed(st.just("@"), st.just("a@example.com")), password=any_text)
def test_the_email_and_password_form_gives_a_typed_answer(
    profile: Profile, email: str, password: str
) -> None:
    """R33: refused locally (nothing sent) or by the server (once, never retried)."""
    tried()
    error, requests = sign_in_with(profile, "sign_in_password", email, password)
    assert isinstance(error, InvalidInput | BadCredentials)
    one_line(error)
    assert requests == (1 if isinstance(error, BadCredentials) else 0)


@pytest.mark.reliability_property("sign-in form: app password")
@given(text=mixed(app_passwords))
def test_the_app_password_form_checks_before_sending(
    profile: Profile, text: str
) -> None:
    """R22, R28: a malformed paste sends nothing; a refused one is not retried."""
    tried()
    error, requests = sign_in_with(profile, "sign_in_app_password", text)
    assert isinstance(error, InvalidInput | BadCredentials)
    one_line(error)
    assert requests == (1 if isinstance(error, BadCredentials) else 0)


EDITABLE = sorted(config_cmds.EDITABLE)
config_values = st.one_of(
    any_text,
    deep_json,
    st.sampled_from(["true", "FALSE", "0", "-1", "1e400", "nan", "86401", "3600"]),
    st.sampled_from(
        [
            "https://api.agent700.ai/api",
            "http://127.0.0.1:9/api",
            "http://example.com/api",
            "ftp://x",
            "https://u:p@h/",
            "http://[::1",
        ]
    ),
)


@pytest.mark.reliability_property("config set: any key, any value")
@given(key=st.sampled_from(EDITABLE), value=config_values)
def test_config_set_saves_a_valid_value_or_refuses_it(
    profile: Profile, key: str, value: str
) -> None:
    """What ``config set`` accepts can always be read back."""
    tried()
    args = argparse.Namespace(profile=profile.name, key=key, value=value)
    try:
        config_cmds.cmd_set(args)
    except A7Error as error:
        one_line(error)
    load_settings(profile.name)  # the file is never left unreadable


@pytest.mark.reliability_property("server address")
@given(
    url=mixed(
        st.sampled_from(["https://", "http://", "127.0.0.1", "[::1]", ":8700", "/api"])
    )
)
def test_a_server_address_is_safe_or_refused(url: str) -> None:
    """Tokens go over https, or plain http to this machine only."""
    tried()
    try:
        chosen = validate_server_url(url)
    except A7Error as error:
        one_line(error)
        return
    parts = urlsplit(chosen)
    secure = parts.scheme == "https"
    assert secure or (parts.scheme == "http" and is_loopback_host(parts.hostname or ""))


policy_documents = st.one_of(
    any_text,
    deep_json,
    deep_json,
    json_values.map(json.dumps),
    st.fixed_dictionaries(
        {},
        optional={
            "server": plain_text | json_values,
            "allowed_methods": st.lists(st.sampled_from(["password", "google", "x"]))
            | json_values,
            "refresh_lead_seconds": st.floats() | json_values,
            "clipboard_timeout_seconds": st.floats() | json_values,
            "google_client_id": plain_text | json_values,
        },
    ).map(json.dumps),
)


@pytest.mark.reliability_property("policy file")
@given(text=policy_documents)
def test_a_policy_file_is_obeyed_or_refused_with_a_clear_message(
    tmp_path: Path, text: str
) -> None:
    """A wrong policy is an error, never silently ignored, never a crash."""
    tried()
    path = tmp_path / "policy.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        policy = load_policy({"A7DESKTOP_POLICY_FILE": str(path)})
    except A7Error as error:
        one_line(error)
        return
    lead = policy.refresh_lead_seconds
    assert lead is None or math.isfinite(lead)


stored_items = st.one_of(
    any_text,
    deep_json,
    deep_json,
    st.fixed_dictionaries(
        {
            "format": st.sampled_from([1, 2, "1"]) | json_values,
            "server": plain_text | json_values,
            "profile": plain_text | json_values,
            "email": plain_text | json_values,
            "auth_type": st.sampled_from(["password", "google_oauth", "x"])
            | json_values,
            "access_token": plain_text | json_values,
            "issued_at": st.floats() | json_values,
            "expires_at": st.floats() | json_values,
        },
        optional={
            "refresh_token": plain_text | json_values,
            "organization": json_values,
            "organizations": json_values,
            "fingerprint": json_values,
        },
    ).map(json.dumps),
)


@pytest.mark.reliability_property("stored session item in the keyring")
@given(text=stored_items)
def test_a_stored_session_item_is_read_or_reported_unreadable(text: str) -> None:
    """A damaged keyring item is a VaultError, so the person is asked to sign in."""
    tried()
    try:
        session = StoredSession.from_json(text)
    except VaultError as error:
        one_line(error)
        return
    assert "access_token='[hidden]'" in repr(session)
