"""The emulator on a real loopback socket: addresses, TLS, socket-level faults."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator

import httpx
import pytest
from emulator_helpers import DEVICE

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD, EmulatorServer


def sign_in(http: httpx.Client, server: EmulatorServer) -> tuple[str, str]:
    response = http.post(
        server.url + "/auth/login",
        json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        headers=DEVICE,
    )
    assert response.status_code == 200, response.text
    cookie = response.headers["set-cookie"].split(";", 1)[0]
    return response.json()["accessToken"], cookie.partition("=")[2]


def refresh(http: httpx.Client, server: EmulatorServer, token: str) -> httpx.Response:
    return http.post(
        server.url + "/auth/refresh",
        headers={**DEVICE, "Cookie": f"refreshToken={token}"},
    )


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer() as running:
        yield running


def test_urls_name_the_bound_ephemeral_port(server: EmulatorServer) -> None:
    assert server.port > 0
    assert server.origin == f"http://127.0.0.1:{server.port}"
    assert server.url == server.origin + "/api"
    assert server.mcp_url == server.origin + "/mcp"
    assert server.google_issuer == server.origin + "/google"
    assert server.ca_pem is None
    response = httpx.get(server.url + "/auth/heartbeat")
    assert response.json()["status"] == "ok"


def test_the_google_issuer_is_the_servers_own(server: EmulatorServer) -> None:
    document = httpx.get(server.google_issuer + "/.well-known/openid-configuration")

    assert document.json()["issuer"] == server.google_issuer


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", ""]
)
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        EmulatorServer(host=host)


def test_localhost_binds_the_ipv4_loopback_literal() -> None:
    with EmulatorServer(host="localhost") as server:
        assert server.origin.startswith("http://127.0.0.1:")


def test_any_address_in_127_slash_8_is_loopback() -> None:
    with EmulatorServer(host="127.0.0.2") as server:
        assert httpx.get(server.url + "/auth/heartbeat").status_code == 200


def test_ipv6_loopback() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = EmulatorServer(host="::1").start()
    except OSError:
        pytest.skip("::1 cannot be bound here")
    try:
        assert server.origin.startswith("http://[::1]:")
        assert httpx.get(server.url + "/auth/heartbeat").status_code == 200
    finally:
        server.stop()


def test_stop_frees_the_port_and_is_idempotent() -> None:
    server = EmulatorServer().start()
    port = server.port
    server.stop()
    server.stop()

    with EmulatorServer(port=port) as again:
        assert again.port == port


def test_a_taken_port_is_an_os_error(server: EmulatorServer) -> None:
    with pytest.raises(OSError, match="in use"):
        EmulatorServer(port=server.port).start()


def test_starting_twice_is_refused(server: EmulatorServer) -> None:
    with pytest.raises(RuntimeError):
        server.start()


async def test_async_with_keeps_answering_beside_a_stalled_request() -> None:
    async with EmulatorServer() as server, httpx.AsyncClient() as http:
        server.state.faults.add("agents", "stall", seconds=90)
        stalled = asyncio.create_task(http.get(server.url + "/agents"))

        quick = await http.get(server.url + "/auth/heartbeat")

        assert quick.status_code == 200
        assert not stalled.done()
        stalled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stalled


def test_controls_from_this_thread_steer_the_server(server: EmulatorServer) -> None:
    with httpx.Client() as http:
        access, _ = sign_in(http, server)
        server.state.clock.advance(28801)

        response = http.get(
            server.url + "/agents", headers={"Authorization": f"Bearer {access}"}
        )

    assert response.json()["error"] == "token_expired"


def test_drop_closes_the_connection_without_doing_the_work(
    server: EmulatorServer,
) -> None:
    with httpx.Client() as http:
        _, token = sign_in(http, server)
        server.state.faults.add("refresh", "drop")

        with pytest.raises(httpx.RemoteProtocolError):
            refresh(http, server, token)

        assert server.state.refresh_log == []
        assert refresh(http, server, token).status_code == 200


def test_drop_after_commit_loses_the_answer_of_a_rotation(
    server: EmulatorServer,
) -> None:
    with httpx.Client() as http:
        _, token = sign_in(http, server)
        server.state.faults.add("refresh", "drop_after_commit")

        with pytest.raises(httpx.RemoteProtocolError):
            refresh(http, server, token)

        assert [a.outcome for a in server.state.refresh_log] == ["rotated"]
        retry = refresh(http, server, token)
        assert retry.json()["error"] == "refresh_token_reused"


def test_stall_sends_headers_then_hangs_past_the_read_timeout(
    server: EmulatorServer,
) -> None:
    server.state.faults.add("heartbeat", "stall", seconds=60)
    timeout = httpx.Timeout(10, read=0.5)

    with (
        httpx.Client(timeout=timeout) as http,
        http.stream("GET", server.url + "/auth/heartbeat") as response,
    ):
        assert response.status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            response.read()


def test_a_short_stall_completes_the_answer(server: EmulatorServer) -> None:
    server.state.faults.add("heartbeat", "stall", seconds=0.2)

    response = httpx.get(server.url + "/auth/heartbeat")

    assert response.json()["status"] == "ok"


def test_concurrent_refreshes_of_one_token_rotate_it_once(
    server: EmulatorServer,
) -> None:
    with httpx.Client() as http:
        _, token = sign_in(http, server)

    async def race() -> list[int]:
        async with httpx.AsyncClient() as http:
            answers = await asyncio.gather(
                *(
                    http.post(
                        server.url + "/auth/refresh",
                        headers={**DEVICE, "Cookie": f"refreshToken={token}"},
                    )
                    for _ in range(10)
                )
            )
        return sorted(answer.status_code for answer in answers)

    statuses = asyncio.run(race())

    assert statuses == [200] + [401] * 9
    outcomes = [a.outcome for a in server.state.refresh_log]
    assert outcomes.count("rotated") == 1


def test_tls_serves_https_with_a_throwaway_ca() -> None:
    with EmulatorServer(tls=True) as server:
        assert server.origin.startswith("https://127.0.0.1:")
        assert server.ca_pem is not None
        assert server.ca_pem.startswith(b"-----BEGIN CERTIFICATE-----")
        trusted = ssl.create_default_context(cadata=server.ca_pem.decode())

        with httpx.Client(verify=trusted) as http:
            _, token = sign_in(http, server)
            rotated = refresh(http, server, token)
            assert rotated.status_code == 200
            assert "Secure" in rotated.headers["set-cookie"]
            server.state.faults.add("heartbeat", "drop")
            with pytest.raises(httpx.RemoteProtocolError):
                http.get(server.url + "/auth/heartbeat")

        with pytest.raises(httpx.ConnectError):
            httpx.get(
                server.url + "/auth/heartbeat", verify=ssl.create_default_context()
            )
