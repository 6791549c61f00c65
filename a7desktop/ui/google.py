"""Google sign-in from the window: the browser flow, with its time left.

The flow itself (loopback listener, PKCE, ID token checks) lives in the
Qt-free :mod:`a7desktop.core.oidc`; this adapter opens the consent page with
``QDesktopServices``, reports the seconds left every second while the person
is in the browser, offers the link when no browser opened, and hands the
verified ID token to the session engine.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from a7desktop.core.log import get_logger

if TYPE_CHECKING:
    from a7desktop.core.config import Profile
    from a7desktop.core.engine import SessionEngine
    from a7desktop.core.oidc import BrowserSignIn

log = get_logger("ui")

DEFAULT_TIMEOUT = 300.0


class GoogleSignIn(QObject):
    """Runs one browser sign-in at a time for a profile.

    Signals:
        waiting(float): seconds left for the person to finish in the browser.
        link_available(str, bool): the consent URL and whether a browser
            opened; when not, the window shows the URL to copy.
    """

    waiting = Signal(float)
    link_available = Signal(str, bool)

    def __init__(
        self,
        profile: Profile,
        open_url: Callable[[str], bool],
        parent: QObject | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        super().__init__(parent)
        self.profile = profile
        self.timeout = timeout
        self._open_url = open_url
        self._attempt: BrowserSignIn | None = None
        self._deadline = 0.0
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._on_ticker_timeout)

    @property
    def configured(self) -> bool:
        """Whether this profile names a Google client to sign in with."""
        return bool(self.profile.google_client_id)

    async def run(self, engine: SessionEngine) -> None:
        """Sign in through the browser, then with the API; raises on failure.

        Raises:
            OAuthError: denied, timed out, cancelled, a busy port, a mismatch.
            A7Error: the API refused the ID token.
        """
        from a7desktop.core.oidc import GOOGLE_ISSUER, BrowserSignIn, OidcConfig

        client_id = self.profile.google_client_id
        if not client_id:
            from a7desktop.core.errors import OAuthError

            raise OAuthError("Google sign-in is not configured for this server.")
        config = OidcConfig(
            issuer=self.profile.google_issuer or GOOGLE_ISSUER,
            client_id=client_id,
            client_secret=self.profile.google_client_secret,
        )
        attempt = BrowserSignIn(
            config,
            self._open_url,
            on_url=self._on_attempt_url,
            timeout=self.timeout,
            accept=engine.sign_in_google,
        )
        self._attempt = attempt
        try:
            await attempt.run()
        finally:
            self._attempt = None
            self._ticker.stop()

    def cancel(self) -> None:
        """End the attempt now waiting in the browser, if any."""
        if self._attempt is not None:
            self._attempt.cancel()

    def _on_attempt_url(self, url: str, opened: bool) -> None:
        self._deadline = time.monotonic() + self.timeout
        self._ticker.start()
        self.link_available.emit(url, opened)
        self.waiting.emit(self.timeout)

    def _on_ticker_timeout(self) -> None:
        self.waiting.emit(max(0.0, self._deadline - time.monotonic()))
