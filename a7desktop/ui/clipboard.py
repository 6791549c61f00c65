"""Copying secrets: marked for clipboard managers, cleared after a timeout.

Every secret the window copies goes through :class:`SecretClipboard`:

- The clipboard content carries the markers that clipboard managers honour:
  ``x-kde-passwordManagerHint: secret`` (Klipper and others on Linux), the
  Windows formats that keep it out of clipboard history and the cloud
  clipboard, and ``org.nspasteboard.ConcealedType`` on macOS.
- After the timeout the clipboard is cleared, but only if it still holds
  what was copied: text the user copied since is left alone. To check that,
  only a digest of the secret is kept, never the secret itself.
- On quit the same check-and-clear runs at once.
"""

from __future__ import annotations

import struct
import sys

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

from a7desktop.core.log import get_logger, register_secret

log = get_logger("ui")

DEFAULT_TIMEOUT_SECONDS = 30

KDE_HINT = "x-kde-passwordManagerHint"
# Qt registers "application/x-qt-windows-mime;value=<name>" as the Windows
# clipboard format <name>: these three keep a copy out of clipboard monitors,
# Win+V history and the cloud clipboard.
_WINDOWS_FORMATS = {
    "ExcludeClipboardContentFromMonitorProcessing": b"\x00",
    "CanIncludeInClipboardHistory": struct.pack("<I", 0),
    "CanUploadToCloudClipboard": struct.pack("<I", 0),
}
MAC_CONCEALED_MIME = "application/x-nspasteboard-concealed-type"
MAC_CONCEALED_UTI = "org.nspasteboard.ConcealedType"


def windows_mime(name: str) -> str:
    """The Qt mime type that Qt maps to the Windows clipboard format ``name``."""
    return f'application/x-qt-windows-mime;value="{name}"'


def secret_mime_data(text: str, platform: str = sys.platform) -> QMimeData:
    """Return mime data holding ``text`` marked as a secret for ``platform``."""
    data = QMimeData()
    data.setText(text)
    if platform == "win32":
        for name, value in _WINDOWS_FORMATS.items():
            data.setData(windows_mime(name), value)
    elif platform == "darwin":
        data.setData(MAC_CONCEALED_MIME, b"1")
    else:
        data.setData(KDE_HINT, b"secret")
    return data


_mac_converter: object | None = None


def install_platform_converters(platform: str = sys.platform) -> None:
    """On macOS, map the concealed-type mime to its pasteboard type.

    Qt names custom mime types on the macOS pasteboard with a prefix of its
    own; a converter is what makes the marker appear under the exact name
    ``org.nspasteboard.ConcealedType``. Other platforms need nothing.
    """
    global _mac_converter
    if platform != "darwin" or _mac_converter is not None:
        return
    try:
        from PySide6.QtGui import QUtiMimeConverter  # type: ignore[attr-defined]
    except ImportError:
        log.warning("this Qt build cannot mark macOS clipboard content as concealed")
        return

    class _Concealed(QUtiMimeConverter):  # type: ignore[misc]
        def canConvert(self, mime: str, uti: str) -> bool:
            return mime == MAC_CONCEALED_MIME and uti == MAC_CONCEALED_UTI

        def mimeForUti(self, uti: str) -> str:
            return MAC_CONCEALED_MIME if uti == MAC_CONCEALED_UTI else ""

        def utiForMime(self, mime: str) -> str:
            return MAC_CONCEALED_UTI if mime == MAC_CONCEALED_MIME else ""

        def convertToMime(self, mime: str, data: list[bytes], uti: str) -> bytes:
            return data[0] if data else b""

        def convertFromMime(self, mime: str, data: bytes, uti: str) -> list[bytes]:
            return [bytes(data)]

    _mac_converter = _Concealed()


def _digest(text: str) -> bytes:
    # Imported on first use: the window's first frame does not need it.
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).digest()


class SecretClipboard(QObject):
    """Copies secrets and clears them again.

    Signals:
        countdown(int, str): seconds left before the clipboard is cleared and
            what is on it ("access token"); ``0, ""`` once nothing is pending.
        cleared(): the secret was removed from the clipboard.
    """

    countdown = Signal(int, str)
    cleared = Signal()

    def __init__(
        self,
        timeout_seconds: int = DEFAULT_TIMEOUT_SECONDS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._timeout = timeout_seconds
        self._remaining = 0
        self._what = ""
        self._digest: bytes | None = None
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._on_tick_timeout)

    @property
    def timeout_seconds(self) -> int:
        """Seconds a secret stays on the clipboard."""
        return self._timeout

    def set_timeout(self, seconds: int) -> None:
        """Use ``seconds`` for the next copy (at least 1)."""
        self._timeout = max(1, int(seconds))

    @property
    def remaining(self) -> int:
        """Seconds until the current secret is cleared; 0 when none is pending."""
        return self._remaining

    def copy(self, secret: str, what: str) -> None:
        """Put ``secret`` on the clipboard, marked, and start the countdown.

        ``what`` names it for the status bar ("app password"); it must not
        contain the secret.
        """
        register_secret(secret)
        QGuiApplication.clipboard().setMimeData(secret_mime_data(secret))
        self._digest = _digest(secret)
        self._what = what
        self._remaining = self._timeout
        self._tick.start()
        log.info("copied %s; clearing in %d s", what, self._timeout)
        self.countdown.emit(self._remaining, self._what)

    def holds_secret(self) -> bool:
        """Whether the clipboard still holds the last secret copied."""
        if self._digest is None:
            return False
        current = QGuiApplication.clipboard().text(QClipboard.Mode.Clipboard)
        return _digest(current) == self._digest

    def clear_now(self) -> bool:
        """Clear the clipboard if it still holds the secret; return whether it did.

        Called by the countdown and on quit. Whatever happens, nothing is
        pending afterwards.
        """
        held = self.holds_secret()
        if held:
            QGuiApplication.clipboard().clear(QClipboard.Mode.Clipboard)
            log.info("cleared %s from the clipboard", self._what)
        self._digest = None
        self._what = ""
        self._remaining = 0
        self._tick.stop()
        self.countdown.emit(0, "")
        if held:
            self.cleared.emit()
        return held

    def _on_tick_timeout(self) -> None:
        if not self.holds_secret():
            # The user copied something else: nothing of ours to clear.
            self._digest = None
            self._remaining = 0
            self._tick.stop()
            self.countdown.emit(0, "")
            return
        self._remaining -= 1
        if self._remaining <= 0:
            self.clear_now()
        else:
            self.countdown.emit(self._remaining, self._what)
