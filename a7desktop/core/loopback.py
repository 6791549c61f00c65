"""The loopback listener that receives the browser's redirect (RFC 8252 §7.3).

The listener binds the IP literal ``127.0.0.1`` on a port the system picks,
or ``[::1]`` when no IPv4 loopback exists; never ``0.0.0.0`` and never the
name ``localhost``, which a hosts file or another process could answer.
HTTP is parsed by h11, one request per connection.

Only ``GET`` on the callback path counts. Anything else (a favicon, a port
scanner, a request whose ``Host`` is not our address, as a DNS-rebinding
page would send) gets a short error and does not end the sign-in. The first
callback is handed to the flow through :meth:`LoopbackListener.next_callback`;
its browser tab waits until the flow answers it with a :class:`ResultPage`,
so the page can say whether sign-in really worked. A second callback is
refused without being handed on, so a code can never be exchanged twice.

Every connection has a read deadline and a size limit, so a slow or
garbage client cannot wedge the listener, and :meth:`LoopbackListener.close`
frees the port whatever state the connections are in.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

import h11

from a7desktop.core.log import get_logger
from a7desktop.core.loopback_page import ResultPage, render_result_page
from a7desktop.core.oidc_errors import ListenerUnavailable

__all__ = ["CALLBACK_PATH", "Callback", "LoopbackListener", "ResultPage"]

log = get_logger("oauth")

CALLBACK_PATH = "/callback"
LOOPBACK_HOSTS = ("127.0.0.1", "::1")

# A redirect carries a code, a state and a few short parameters; browsers
# send a few hundred bytes of headers. 16 KiB is generous and still small.
MAX_REQUEST_HEAD = 16 * 1024
MAX_REQUEST_BODY = 4 * 1024
MAX_CONNECTIONS = 32

_BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n"
    b"Content-Length: 12\r\nConnection: close\r\n\r\nBad request\n"
)


class _RequestRejected(Exception):
    """The bytes received are not one acceptable HTTP request."""


@dataclass(eq=False)
class Callback:
    """One redirect the browser delivered to the callback path.

    Query values are reachable only through :meth:`get`, and the ``repr``
    shows only the parameter names: the values include the code.
    """

    _values: dict[str, list[str]] = field(repr=False)
    _answer: asyncio.Future[ResultPage] = field(repr=False)

    @property
    def names(self) -> frozenset[str]:
        """The names of the query parameters present."""
        return frozenset(self._values)

    def get(self, name: str) -> str | None:
        """Return the value of ``name``, or ``None`` when absent or repeated.

        A parameter sent twice is treated as absent: RFC 6749 §3.1 forbids
        repeats, and picking one of them would let an attacker choose.
        """
        values = self._values.get(name)
        if values is None or len(values) != 1:
            return None
        return values[0]

    def answer(self, page: ResultPage) -> None:
        """Send ``page`` to the waiting browser tab; later answers are ignored."""
        if not self._answer.done():
            self._answer.set_result(page)

    @property
    def answered(self) -> bool:
        """Whether the browser tab has been (or is being) answered."""
        return self._answer.done()

    async def wait_answered(self) -> ResultPage:
        """Wait until :meth:`answer` is called and return the page."""
        return await asyncio.shield(self._answer)


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: bytes
    content_type: bytes = b"text/plain; charset=utf-8"


_NOT_FOUND = _Reply(404, b"Not found\n")
_NOT_ALLOWED = _Reply(405, b"Method not allowed\n")
_WRONG_HOST = _Reply(421, b"Misdirected request\n")

# What a browser tab sees when the flow ends before answering it (a crash,
# a cancel, a timeout racing the redirect).
_UNFINISHED = ResultPage(
    ok=False,
    heading="Sign-in did not finish",
    detail="a7desktop stopped waiting for this sign-in. Try again from a7desktop.",
)
_ALREADY_USED = ResultPage(
    ok=False,
    heading="This sign-in was already answered",
    detail="Another browser tab already returned to a7desktop. You can close this tab.",
    status=400,
)


class LoopbackListener:
    """Serve one OAuth redirect on a loopback port.

    Use as ``async with LoopbackListener() as listener:``; entering binds
    the port (raising :class:`ListenerUnavailable` when no loopback port
    can be opened) and leaving always closes it.

    Attributes:
        path: the only path that is answered; the callback path.
        read_timeout: seconds a client has to send its whole request.
    """

    def __init__(
        self,
        *,
        path: str = CALLBACK_PATH,
        hosts: tuple[str, ...] = LOOPBACK_HOSTS,
        read_timeout: float = 10.0,
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        self.path = path
        self.read_timeout = read_timeout
        self._hosts = hosts
        self._max_connections = max_connections
        self._server: asyncio.Server | None = None
        self._host = ""
        self._port = 0
        self._handlers: set[asyncio.Task[None]] = set()
        self._first: asyncio.Future[Callback] | None = None
        self._delivered: list[Callback] = []
        self._closed = False

    async def __aenter__(self) -> LoopbackListener:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def host(self) -> str:
        """The IP literal bound: ``127.0.0.1`` or ``::1``."""
        return self._host

    @property
    def port(self) -> int:
        """The port the system gave us."""
        return self._port

    @property
    def redirect_uri(self) -> str:
        """The ``redirect_uri`` to register: IP literal, real port, path."""
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self._port}{self.path}"

    @property
    def _authority(self) -> bytes:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self._port}".encode("ascii")

    async def start(self) -> None:
        """Bind the first loopback address that works, on an ephemeral port.

        Raises:
            ListenerUnavailable: no address could be bound.
        """
        if self._server is not None:
            raise RuntimeError("listener already started")
        self._first = asyncio.get_running_loop().create_future()
        failures: list[str] = []
        for host in self._hosts:
            try:
                server = await asyncio.start_server(
                    self._on_connection, host=host, port=0, limit=MAX_REQUEST_HEAD
                )
            except OSError as error:
                failures.append(f"{host}: {error.strerror or error}")
                continue
            self._server = server
            self._host = host
            self._port = server.sockets[0].getsockname()[1]
            log.debug("listening for the browser on %s", self.redirect_uri)
            return
        raise ListenerUnavailable(
            "Could not open a local port for the browser to return to "
            f"({'; '.join(failures)})."
        )

    async def next_callback(self) -> Callback:
        """Wait for the first request to the callback path and return it.

        The caller must :meth:`Callback.answer` it (or close the listener,
        which answers it with a generic page). Later callbacks are refused.

        Raises:
            ListenerUnavailable: the listener was closed while waiting.
        """
        if self._first is None:
            raise RuntimeError("listener not started")
        return await asyncio.shield(self._first)

    async def close(self) -> None:
        """Stop listening, answer or drop every connection, free the port.

        Safe to call more than once and from a cancelled task's cleanup.
        """
        if self._closed:
            return
        self._closed = True
        if self._first is not None and not self._first.done():
            self._first.set_exception(
                ListenerUnavailable("The sign-in listener was closed.")
            )
            # Mark it retrieved: nobody may be waiting for it any more.
            self._first.exception()
        for callback in self._delivered:
            callback.answer(_UNFINISHED)
        if self._server is not None:
            self._server.close()
        # Let answered tabs receive their page, then cut what is left (idle
        # preconnects, slow clients).
        if self._handlers:
            _, pending = await asyncio.wait(set(self._handlers), timeout=2.0)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.wait(pending, timeout=2.0)
        if self._server is not None:
            await self._server.wait_closed()
        log.debug("listener on port %d closed", self._port)

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is None or self._closed or len(self._handlers) >= self._max_connections:
            writer.close()
            return
        self._handlers.add(task)
        try:
            await self._serve(reader, writer)
        except asyncio.CancelledError:
            # Only close() cancels a handler; ending quietly keeps asyncio
            # from reporting a cancelled connection callback.
            pass
        except (OSError, TimeoutError, h11.LocalProtocolError) as error:
            log.debug("connection to the listener failed: %s", error)
        finally:
            self._handlers.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), timeout=1.0)

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        connection = h11.Connection(
            h11.SERVER, max_incomplete_event_size=MAX_REQUEST_HEAD
        )
        try:
            request = await asyncio.wait_for(
                self._read_request(reader, connection), timeout=self.read_timeout
            )
        except (TimeoutError, h11.RemoteProtocolError, _RequestRejected):
            log.debug("listener dropped a malformed, oversized or slow request")
            writer.write(_BAD_REQUEST)
            await asyncio.wait_for(writer.drain(), timeout=self.read_timeout)
            return
        if request is None:
            return

        reply = await self._route(request)
        await self._send(writer, connection, reply)

    async def _read_request(
        self, reader: asyncio.StreamReader, connection: h11.Connection
    ) -> h11.Request | None:
        request: h11.Request | None = None
        body_size = 0
        while True:
            event = connection.next_event()
            if event is h11.NEED_DATA:
                connection.receive_data(await reader.read(4096))
            elif isinstance(event, h11.Request):
                request = event
            elif isinstance(event, h11.Data):
                body_size += len(event.data)
                if body_size > MAX_REQUEST_BODY:
                    raise _RequestRejected
            elif isinstance(event, h11.EndOfMessage):
                return request
            elif isinstance(event, h11.ConnectionClosed):
                return None
            else:  # PAUSED cannot happen before we answer.
                raise _RequestRejected

    async def _route(self, request: h11.Request) -> _Reply:
        target = urlsplit(request.target.decode("ascii", "replace"))
        host = dict(request.headers).get(b"host", b"")
        if target.path != self.path:
            log.debug("stray request to the listener answered 404")
            return _NOT_FOUND
        if request.method != b"GET":
            return _NOT_ALLOWED
        if host != self._authority:
            log.debug("callback with a foreign Host header refused")
            return _WRONG_HOST

        page = await self._deliver(target.query)
        return _Reply(
            page.status, render_result_page(page), b"text/html; charset=utf-8"
        )

    async def _deliver(self, query: str) -> ResultPage:
        if self._closed or self._first is None:
            return _UNFINISHED
        if self._first.done():
            return _ALREADY_USED
        values: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            values.setdefault(name, []).append(value)
        callback = Callback(values, asyncio.get_running_loop().create_future())
        self._delivered.append(callback)
        self._first.set_result(callback)
        return await callback.wait_answered()

    async def _send(
        self, writer: asyncio.StreamWriter, connection: h11.Connection, reply: _Reply
    ) -> None:
        headers = [
            (b"Content-Type", reply.content_type),
            (b"Content-Length", str(len(reply.body)).encode("ascii")),
            (b"Cache-Control", b"no-store"),
            (
                b"Content-Security-Policy",
                b"default-src 'none'; style-src 'unsafe-inline'",
            ),
            (b"Referrer-Policy", b"no-referrer"),
            (b"X-Content-Type-Options", b"nosniff"),
            (b"Connection", b"close"),
        ]
        data = connection.send(h11.Response(status_code=reply.status, headers=headers))
        body = connection.send(h11.Data(data=reply.body))
        end = connection.send(h11.EndOfMessage())
        writer.write(b"".join(part for part in (data, body, end) if part))
        await asyncio.wait_for(writer.drain(), timeout=self.read_timeout)
