"""Serve an emulator on a real loopback socket from a background thread.

:class:`EmulatorServer` runs uvicorn on its own thread and event loop, so a
test's event loop (or a Qt loop) never blocks on the server, and the server
keeps answering while the test awaits. It listens on loopback only.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import threading
from collections.abc import Callable
from types import TracebackType

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from a7desktop.emulator.app import create_app
from a7desktop.emulator.config import EmulatorConfig
from a7desktop.emulator.faults import ConnectionRegistry
from a7desktop.emulator.state import EmulatorState

ContextFactory = Callable[
    [uvicorn.Config, Callable[[], ssl.SSLContext]], ssl.SSLContext
]


def loopback_address(host: str) -> str:
    """The address to bind for ``host``, which must be a loopback one.

    Raises:
        ValueError: ``host`` is not in 127.0.0.0/8, not ``::1``, and not
            ``localhost`` (which binds 127.0.0.1).
    """
    if host.strip().lower() == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host.strip().strip("[]"))
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise ValueError(
            f"refusing to listen on {host!r}: the emulator serves loopback "
            "addresses only (127.0.0.0/8, ::1 or localhost)"
        )
    return str(address)


def _tracking_protocol(registry: ConnectionRegistry) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, registering each connection for faults."""

    class TrackedH11Protocol(H11Protocol):
        def connection_made(  # type: ignore[override]
            self, transport: asyncio.Transport
        ) -> None:
            super().connection_made(transport)
            if self.client is not None:
                registry.add(self.client, transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client is not None:
                registry.discard(self.client)
            super().connection_lost(exc)

    return TrackedH11Protocol


class _Uvicorn(uvicorn.Server):
    """A uvicorn server that says when it is accepting connections."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class EmulatorServer:
    """An emulator listening on ``host:port`` (port 0: an ephemeral one).

    Use it as a context manager, synchronously or with ``async with`` (which
    starts and stops it off the event loop), or call :meth:`start` and
    :meth:`stop`.

    Attributes:
        app: the Starlette app.
        state: its :class:`EmulatorState` (the test controls).
        ca_pem: the PEM of the throwaway CA that signed the server's
            certificate when ``tls=True``, else ``None``.

    Raises:
        ValueError: ``host`` is not a loopback address.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: bool = False,
    ) -> None:
        self.host = loopback_address(host)
        self.port = port
        self.tls = tls
        self.app = create_app(config)
        self.state: EmulatorState = self.app.state.emulator
        self.ca_pem: bytes | None = None
        self._server: _Uvicorn | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def origin(self) -> str:
        scheme = "https" if self.tls else "http"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{scheme}://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The API base: the client appends ``/auth/login`` and so on."""
        return self.origin + "/api"

    @property
    def mcp_url(self) -> str:
        return self.origin + "/mcp"

    @property
    def google_issuer(self) -> str:
        return self.origin + "/google"

    def start(self) -> EmulatorServer:
        """Bind, start serving, and return once connections are accepted.

        Raises:
            OSError: the port is taken or cannot be bound.
            RuntimeError: the server did not come up.
        """
        if self._thread is not None:
            raise RuntimeError("the emulator is already running")
        sock = self._bind()
        self.port = sock.getsockname()[1]
        self.state.google_issuer = self.google_issuer
        config = uvicorn.Config(
            self.app,
            http=_tracking_protocol(self.state.connections),
            lifespan="off",
            log_config=None,
            # Access lines would carry OAuth codes in query strings.
            access_log=False,
            # The client address is the socket's: rate limits and dropped
            # connections key on it, so no header may rewrite it.
            proxy_headers=False,
            # The app sends Date from the emulator's settable clock.
            date_header=False,
            ssl_context_factory=self._tls_context() if self.tls else None,
            timeout_graceful_shutdown=2,
        )
        server = _Uvicorn(config)
        thread = threading.Thread(
            target=self._serve, args=(server, sock), name="a7-emulator", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        while not server.ready.wait(0.02):
            if not thread.is_alive():
                self._server = self._thread = None
                raise RuntimeError(f"the emulator did not start: {self._failure!r}")
        return self

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        return sock

    def _tls_context(self) -> ContextFactory:
        import trustme  # only a TLS server needs it

        authority = trustme.CA()
        certificate = authority.issue_cert("127.0.0.1", "::1", "localhost")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        certificate.configure_cert(context)
        self.ca_pem = authority.cert_pem.bytes()
        return lambda _config, _default: context

    def _serve(self, server: _Uvicorn, sock: socket.socket) -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as failure:  # reported by start()
            self._failure = failure
        finally:
            sock.close()

    def stop(self) -> None:
        """Stop serving and wait for the thread; open requests get ~2 s."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.should_exit = True
        thread.join(timeout=15)
        self._server = self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmulatorServer:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)
