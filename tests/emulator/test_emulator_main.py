"""``python -m a7desktop.emulator`` as a sandbox user runs it.

Includes the issue's "done means": a replayed refresh token kills the family,
the 31st app-login in a minute gets 429 with Retry-After, and a refresh from
a different User-Agent is refused.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from emulator_helpers import DEVICE, device

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD

ALICE = ("alice@example.com", "CorrectHorse1!")


def emulator_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "a7desktop.emulator", *args]


@dataclass
class Sandbox:
    process: subprocess.Popen[str]
    banner: str

    @property
    def url(self) -> str:
        match = re.search(r"Agent700 emulator: (\S+)", self.banner)
        assert match, self.banner
        return match.group(1)


def start(*args: str, env: dict[str, str] | None = None) -> Sandbox:
    process = subprocess.Popen(
        emulator_command(*args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    lines: list[str] = []
    while not lines or not lines[-1].startswith("Press Ctrl+C"):
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"emulator exited: {process.communicate()}")
        lines.append(line)
    return Sandbox(process, "".join(lines))


def stop(sandbox: Sandbox) -> tuple[int, str]:
    """SIGTERM the emulator; return its exit status and the rest of stderr."""
    if sandbox.process.poll() is None:
        sandbox.process.send_signal(signal.SIGTERM)
    _, stderr = sandbox.process.communicate(timeout=30)
    return sandbox.process.returncode, stderr


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    running = start("--port", "0", "--user", ":".join(ALICE))
    try:
        yield running
    finally:
        stop(running)


def login(http: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    return http.post(
        url + "/auth/login",
        json={"email": ALICE[0], "password": ALICE[1]},
        headers=headers,
    )


def refresh_with(
    http: httpx.Client, url: str, token: str, headers: dict[str, str]
) -> httpx.Response:
    return http.post(
        url + "/auth/refresh", headers={**headers, "Cookie": f"refreshToken={token}"}
    )


def cookie(response: httpx.Response) -> str:
    return response.headers["set-cookie"].split(";", 1)[0].partition("=")[2]


def test_the_banner_names_the_url_the_demo_account_and_the_users(
    sandbox: Sandbox,
) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", sandbox.url)
    assert DEMO_EMAIL in sandbox.banner
    assert DEMO_PASSWORD in sandbox.banner
    assert ALICE[0] in sandbox.banner
    assert ALICE[1] not in sandbox.banner
    assert httpx.get(sandbox.url + "/auth/heartbeat").json()["status"] == "ok"


def test_a_replayed_refresh_token_is_refused_and_kills_the_family(
    sandbox: Sandbox,
) -> None:
    with httpx.Client() as http:
        first = cookie(login(http, sandbox.url, DEVICE))
        second = cookie(refresh_with(http, sandbox.url, first, DEVICE))

        replay = refresh_with(http, sandbox.url, first, DEVICE)
        after = refresh_with(http, sandbox.url, second, DEVICE)

    assert replay.status_code == 401
    assert replay.json()["error"] == "refresh_token_reused"
    assert after.status_code == 401
    assert after.json()["error"] == "refresh_token_revoked"


def test_the_31st_app_login_in_a_minute_gets_429_with_retry_after(
    sandbox: Sandbox,
) -> None:
    with httpx.Client() as http:
        access = login(http, sandbox.url, DEVICE).json()["accessToken"]
        created = http.post(
            sandbox.url + "/auth/app-passwords",
            json={"name": "burst", "permissions": {}},
            headers={"Authorization": f"Bearer {access}"},
        ).json()
        statuses = [
            http.post(
                sandbox.url + "/auth/app-login", json={"token": created["token"]}
            ).status_code
            for _ in range(30)
        ]

        limited = http.post(
            sandbox.url + "/auth/app-login", json={"token": created["token"]}
        )

    assert statuses == [200] * 30
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1


def test_a_refresh_with_a_different_user_agent_is_refused(sandbox: Sandbox) -> None:
    with httpx.Client() as http:
        token = cookie(login(http, sandbox.url, DEVICE))

        response = refresh_with(
            http, sandbox.url, token, device(User_Agent="python-requests/2.32")
        )

    assert response.status_code == 401
    assert response.json()["error"] == "fingerprint_mismatch"


def test_sigterm_stops_it_cleanly(sandbox: Sandbox) -> None:
    status, stderr = stop(sandbox)

    assert status == 0
    assert "Traceback" not in stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.com"])
def test_a_non_loopback_host_is_refused_with_exit_2(host: str) -> None:
    result = subprocess.run(
        emulator_command("--host", host, "--port", "0"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--user", "no-password@example.com"],
        ["--user", "nobody:pw"],
        ["--port", "70000"],
    ],
    ids=["no-password", "no-email", "port"],
)
def test_bad_arguments_exit_2(args: list[str]) -> None:
    result = subprocess.run(
        emulator_command(*args), capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode == 2


def test_a_busy_port_exits_1_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        result = subprocess.run(
            emulator_command("--port", str(port)),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_tls_prints_a_ca_file_that_verifies_the_server() -> None:
    running = start("--port", "0", "--tls")
    try:
        match = re.search(r"Test CA:\s+(\S+)", running.banner)
        assert match
        assert running.url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=match.group(1))
        response = httpx.get(running.url + "/auth/heartbeat", verify=trusted)
        assert response.status_code == 200
    finally:
        stop(running)
        if match:
            Path(match.group(1)).unlink(missing_ok=True)


def test_the_mcp_key_comes_from_the_environment_and_is_not_printed() -> None:
    env = {**os.environ, "MCP_API_KEY": "sandbox-mcp-key-123"}
    running = start("--port", "0", env=env)
    try:
        origin = running.url.removesuffix("/api")
        good = httpx.get(
            origin + "/mcp/servers", headers={"X-API-Key": "sandbox-mcp-key-123"}
        )
        assert good.status_code == 200
        assert "sandbox-mcp-key-123" not in running.banner
    finally:
        stop(running)


def test_a_generated_mcp_key_is_printed_so_it_can_be_used() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MCP_API_KEY"}
    running = start("--port", "0", env=env)
    try:
        match = re.search(r"X-API-Key: ([^)\s]+)", running.banner)
        assert match
        origin = running.url.removesuffix("/api")
        response = httpx.get(
            origin + "/mcp/servers", headers={"X-API-Key": match.group(1)}
        )
        assert response.status_code == 200
    finally:
        stop(running)
