"""The loopback redirect listener over real sockets on 127.0.0.1 and ::1."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from a7desktop.core.loopback import LoopbackListener, ResultPage
from a7desktop.core.oidc_errors import ListenerUnavailable

OK_PAGE = ResultPage(ok=True, heading="Signed in", detail="You can close this tab.")


@pytest.fixture
async def listener() -> AsyncIterator[LoopbackListener]:
    async with LoopbackListener(read_timeout=2.0) as opened:
        yield opened


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(trust_env=False, timeout=10.0) as client:
        yield client


async def raw_exchange(listener: LoopbackListener, data: bytes) -> bytes:
    """Send ``data`` as is and return everything the listener answers."""
    reader, writer = await asyncio.open_connection(listener.host, listener.port)
    writer.write(data)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10.0)
    writer.close()
    await writer.wait_closed()
    return answer


def assert_port_free(host: str, port: int) -> None:
    """Nothing listens on the port any more, and it can be bound again."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe, pytest.raises(ConnectionRefusedError):
        probe.connect((host, port))
    with socket.socket(family) as rebind:
        rebind.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        rebind.bind((host, port))


async def test_binds_the_ipv4_literal_on_an_ephemeral_port(
    listener: LoopbackListener,
) -> None:
    """R1: 127.0.0.1 on a system-chosen port; the redirect URI says so."""
    assert listener.host == "127.0.0.1"
    assert listener.port > 0
    assert listener.redirect_uri == f"http://127.0.0.1:{listener.port}/callback"
    assert "localhost" not in listener.redirect_uri
    server = listener._server
    assert server is not None
    addresses = {sock.getsockname()[0] for sock in server.sockets}
    assert addresses == {"127.0.0.1"}


async def test_ipv6_loopback_uses_a_bracketed_literal() -> None:
    """R1: the [::1] fallback also puts the IP literal in the redirect URI."""
    async with LoopbackListener(hosts=("::1",)) as listener:
        assert listener.host == "::1"
        assert listener.redirect_uri == f"http://[::1]:{listener.port}/callback"
        async with httpx.AsyncClient(trust_env=False) as client:
            answer = await client.get(f"http://[::1]:{listener.port}/favicon.ico")
        assert answer.status_code == 404


async def test_falls_back_to_ipv6_when_ipv4_cannot_be_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """R1: with no usable 127.0.0.1 the listener takes [::1]."""
    real_start_server = asyncio.start_server

    async def start_server(*args: Any, **kwargs: Any) -> asyncio.Server:
        if kwargs["host"] == "127.0.0.1":
            raise OSError(99, "Cannot assign requested address")
        return await real_start_server(*args, **kwargs)

    monkeypatch.setattr(asyncio, "start_server", start_server)
    async with LoopbackListener() as listener:
        assert listener.host == "::1"


async def test_no_bindable_address_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def start_server(*args: object, **kwargs: object) -> object:
        raise OSError(98, "Address already in use")

    monkeypatch.setattr(asyncio, "start_server", start_server)
    with pytest.raises(ListenerUnavailable, match="local port"):
        async with LoopbackListener():
            pass


async def test_stray_requests_get_404_and_do_not_end_the_flow(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    """R8: favicon and other paths are answered 404; the callback still works."""
    base = f"http://127.0.0.1:{listener.port}"
    for path in ("/favicon.ico", "/", "/callback/extra", "/other?code=x&state=y"):
        answer = await browser.get(base + path)
        assert answer.status_code == 404

    waiting = asyncio.ensure_future(listener.next_callback())
    assert not waiting.done()
    request = asyncio.ensure_future(browser.get(base + "/callback?code=c&state=s"))
    callback = await waiting
    assert callback.get("code") == "c"
    callback.answer(OK_PAGE)
    answer = await request
    assert answer.status_code == 200
    assert "Signed in" in answer.text


async def test_other_methods_and_foreign_hosts_do_not_end_the_flow(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    """R8: a POST, or a request naming another Host (DNS rebinding), is refused."""
    url = f"http://127.0.0.1:{listener.port}/callback?code=c&state=s"
    assert (await browser.post(url)).status_code == 405
    foreign = await browser.get(url, headers={"Host": f"evil.example:{listener.port}"})
    assert foreign.status_code == 421

    waiting = asyncio.ensure_future(listener.next_callback())
    await asyncio.sleep(0.05)
    assert not waiting.done()
    waiting.cancel()


async def test_garbage_and_oversized_requests_get_400_and_the_listener_survives(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    for junk in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"GET /callback HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n",
    ):
        answer = await raw_exchange(listener, junk)
        assert answer.startswith(b"HTTP/1.1 400")

    stray = await browser.get(f"http://127.0.0.1:{listener.port}/favicon.ico")
    assert stray.status_code == 404


async def test_a_silent_client_does_not_wedge_the_listener(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    """A connection that never sends blocks nothing and is cut at the deadline."""
    reader, writer = await asyncio.open_connection(listener.host, listener.port)
    writer.write(b"GET /callback?code=c&state=s HTTP/1.1\r\nHo")
    await writer.drain()

    stray = await browser.get(f"http://127.0.0.1:{listener.port}/favicon.ico")
    assert stray.status_code == 404

    answer = await asyncio.wait_for(reader.read(), timeout=10.0)
    assert answer.startswith(b"HTTP/1.1 400")
    writer.close()
    await writer.wait_closed()


async def test_only_the_first_callback_is_handed_on(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    """R4: a second redirect (a replayed state) is refused, never delivered."""
    url = f"http://127.0.0.1:{listener.port}/callback?code=c&state=s"
    first_request = asyncio.ensure_future(browser.get(url))
    first = await listener.next_callback()

    second = await browser.get(url)
    assert second.status_code == 400
    assert "already answered" in second.text
    assert await listener.next_callback() is first

    first.answer(OK_PAGE)
    assert (await first_request).status_code == 200


async def test_repeated_parameters_count_as_absent(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    code = "code-value-0123456789"
    url = f"http://127.0.0.1:{listener.port}/callback?state=a&state=b&code={code}&x="
    request = asyncio.ensure_future(browser.get(url))
    callback = await listener.next_callback()
    assert callback.get("state") is None
    assert callback.get("code") == code
    assert callback.get("x") == ""
    assert callback.names == {"state", "code", "x"}
    assert code not in repr(callback)
    callback.answer(OK_PAGE)
    await request


async def test_the_page_escapes_whatever_it_echoes(
    listener: LoopbackListener, browser: httpx.AsyncClient
) -> None:
    """R6: text placed in the page, markup included, is shown as text."""
    url = f"http://127.0.0.1:{listener.port}/callback?error=x"
    request = asyncio.ensure_future(browser.get(url))
    callback = await listener.next_callback()
    callback.answer(
        ResultPage(
            ok=False, heading="<b>bold</b>", detail='<script>alert("x")</script>'
        )
    )
    answer = await request

    assert "<script>" not in answer.text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in answer.text
    assert "&lt;b&gt;bold&lt;/b&gt;" in answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"


async def test_port_is_freed_after_an_answered_callback(
    browser: httpx.AsyncClient,
) -> None:
    """R7: success path."""
    async with LoopbackListener() as listener:
        host, port = listener.host, listener.port
        url = f"http://127.0.0.1:{port}/callback?code=c&state=s"
        request = asyncio.ensure_future(browser.get(url))
        (await listener.next_callback()).answer(OK_PAGE)
        await request
    assert_port_free(host, port)


async def test_closing_answers_a_waiting_tab_and_frees_the_port(
    browser: httpx.AsyncClient,
) -> None:
    """R7: a flow that stops without answering still leaves no tab hanging."""
    async with LoopbackListener() as listener:
        host, port = listener.host, listener.port
        url = f"http://127.0.0.1:{port}/callback?code=c&state=s"
        request = asyncio.ensure_future(browser.get(url))
        await listener.next_callback()
    answer = await request
    assert "Sign-in did not finish" in answer.text
    assert_port_free(host, port)


async def test_closing_with_idle_connections_frees_the_port() -> None:
    """R7: timeout/cancel path, with a preconnected idle socket still open."""
    listener = LoopbackListener(read_timeout=60.0)
    await listener.start()
    host, port = listener.host, listener.port
    reader, writer = await asyncio.open_connection(host, port)
    waiting = asyncio.ensure_future(listener.next_callback())

    await listener.close()

    assert await asyncio.wait_for(reader.read(), timeout=10.0) == b""
    with pytest.raises(ListenerUnavailable):
        await waiting
    writer.close()
    await writer.wait_closed()
    assert_port_free(host, port)
    await listener.close()  # a second close is harmless


async def test_cancelling_the_waiting_task_then_closing_frees_the_port() -> None:
    """R7: cancel path."""
    async with LoopbackListener() as listener:
        host, port = listener.host, listener.port
        waiting = asyncio.ensure_future(listener.next_callback())
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    assert_port_free(host, port)


async def test_connections_beyond_the_limit_are_closed_at_once() -> None:
    async with LoopbackListener(max_connections=2, read_timeout=30.0) as listener:
        idle = [
            await asyncio.open_connection(listener.host, listener.port)
            for _ in range(2)
        ]
        await asyncio.sleep(0.1)
        reader, writer = await asyncio.open_connection(listener.host, listener.port)
        assert await asyncio.wait_for(reader.read(), timeout=10.0) == b""
        writer.close()
        await writer.wait_closed()
        for _, idle_writer in idle:
            idle_writer.close()
            await idle_writer.wait_closed()


@settings(max_examples=60, deadline=None)
@given(junk=st.binary(max_size=2048))
def test_arbitrary_bytes_never_break_the_listener(junk: bytes) -> None:
    """Whatever a client sends, it gets a 4xx or nothing, and the listener lives."""

    async def exchange() -> tuple[bytes, int]:
        async with LoopbackListener(read_timeout=1.0) as listener:
            reader, writer = await asyncio.open_connection(listener.host, listener.port)
            writer.write(junk)
            writer.write_eof()
            answer = await asyncio.wait_for(reader.read(), timeout=10.0)
            writer.close()
            await writer.wait_closed()
            async with httpx.AsyncClient(trust_env=False) as client:
                probe = await client.get(
                    f"http://127.0.0.1:{listener.port}/favicon.ico"
                )
            return answer, probe.status_code

    answer, probe_status = asyncio.run(exchange())
    assert answer == b"" or answer.startswith((b"HTTP/1.1 4", b"HTTP/1.0 4"))
    assert probe_status == 404
