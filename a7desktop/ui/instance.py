"""One window per user: a second start raises the first window and exits.

The first process listens on a local socket (a Unix socket in the user's
runtime directory, a named pipe on Windows). A later start connects, sends
one line asking the first to show itself, and exits. A socket left behind by
a crashed process is detected (nobody answers) and replaced.

The guard runs before the window's first frame. Where no socket file exists
nobody can be listening (:func:`may_be_running`), so Qt's network module is
loaded only when there is someone to ask, or once the window is on screen.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from a7desktop.core.log import get_logger

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalSocket

log = get_logger("ui")

_RAISE = b"raise\n"
_TIMEOUT_MS = 1000


def default_server_name() -> str:
    """The socket name for this user, stable across starts.

    On Unix it is a full path in ``$XDG_RUNTIME_DIR`` (private to the user);
    without one, a per-user name in the temporary directory. On Windows a
    pipe name carrying a hash of the user name.
    """
    if sys.platform == "win32":
        return f"a7desktop-{_user_hash()}"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return str(Path(runtime) / "a7desktop.sock")
    return str(Path(tempfile.gettempdir()) / f"a7desktop-{_user_hash()}.sock")


def _user_hash() -> str:
    import getpass
    import hashlib

    return hashlib.sha256(getpass.getuser().encode("utf-8")).hexdigest()[:16]


def may_be_running(name: str) -> bool:
    """False only when no window can be listening on ``name``.

    A Unix socket is a file: without it nobody listens. A Windows named
    pipe cannot be looked at so cheaply, so there the answer is always True.
    """
    if sys.platform == "win32":
        return True
    return os.path.exists(name)


def ask_running_instance(name: str) -> bool:
    """Ask a running window to show itself; return True if one answered."""
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(_TIMEOUT_MS):
        return False
    socket.write(_RAISE)
    delivered = socket.waitForBytesWritten(_TIMEOUT_MS)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(_TIMEOUT_MS)
    return delivered


class InstanceGuard(QObject):
    """Listens for later starts and emits :attr:`raise_requested`.

    Signals:
        raise_requested: another start of the program asked to be shown.
    """

    raise_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__(parent)
        self._name = name
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._sockets: set[QLocalSocket] = set()
        self._server.newConnection.connect(self._on_server_new_connection)

    def listen(self) -> bool:
        """Start listening; False if another live instance holds the name.

        A live instance is asked first: with access options set, Qt creates
        the socket elsewhere and renames it into place, which would silently
        take the name from a running window.
        """
        if ask_running_instance(self._name):
            return False
        # Nobody answered: any socket file there is left from a crash.
        self._server.removeServer(self._name)
        if not self._server.listen(self._name):
            # Without the socket the window still works; it cannot be raised.
            log.warning(
                "single-instance socket unavailable: %s", self._server.errorString()
            )
        return True

    def close(self) -> None:
        """Stop listening, drop open connections and remove the socket."""
        self._server.close()
        for socket in list(self._sockets):
            socket.abort()
            socket.deleteLater()
        self._sockets.clear()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._sockets.add(socket)
            socket.readyRead.connect(self._on_socket_ready_read)
            socket.disconnected.connect(self._on_socket_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    def _sending_socket(self) -> QLocalSocket | None:
        sender = self.sender()
        return next((known for known in self._sockets if known is sender), None)

    def _on_socket_ready_read(self) -> None:
        socket = self._sending_socket()
        if socket is not None:
            self._read(socket)

    def _on_socket_disconnected(self) -> None:
        socket = self._sending_socket()
        if socket is not None:
            self._sockets.discard(socket)
            socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        line = bytes(socket.readAll().data())
        if line.startswith(_RAISE.strip()):
            self.raise_requested.emit()
