"""Sign-in with an OpenID Connect provider through the system browser.

One attempt (RFC 8252 with PKCE, RFC 7636):

1. fetch the provider's discovery document;
2. open a loopback listener (:mod:`a7desktop.core.loopback`);
3. make a fresh verifier, state and nonce (:mod:`a7desktop.core.pkce`);
4. hand the consent page's URL to the browser opener the caller passed in
   (the ``webbrowser`` module on the command line, ``QDesktopServices`` in
   the window; never an embedded web view);
5. wait for the redirect, check its state in constant time, exchange the
   code with the verifier, verify the ID token (:mod:`a7desktop.core.idtoken`);
6. optionally let the caller use the token (the session engine's Google
   sign-in) before the browser tab is told whether sign-in worked;
7. close the listener whatever happened.

Only one attempt runs per process at a time: a second one is refused with
:class:`SignInBusy` rather than replacing the first, because the first
one's browser tab would otherwise return to a closed port. The person ends
the waiting attempt with Cancel (:meth:`BrowserSignIn.cancel`) or it ends
by itself at the timeout.

Nothing here imports Qt. The URL with its state and nonce is given to the
opener and to ``on_url`` (to be shown for copying), and never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from a7desktop.core.errors import A7Error
from a7desktop.core.idtoken import fetch_jwks, verify_id_token
from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.loopback import Callback, LoopbackListener
from a7desktop.core.loopback_page import failure_page, success_page
from a7desktop.core.oidc_errors import (
    ProviderError,
    SignInBusy,
    SignInCancelled,
    SignInDenied,
    SignInTimedOut,
    StateMismatch,
)
from a7desktop.core.oidc_provider import (
    GOOGLE_ISSUER,
    OidcConfig,
    ProviderMetadata,
    authorization_url,
    discover,
    exchange_code,
    new_http_client,
    provider_error_message,
    without_query,
)
from a7desktop.core.pkce import AttemptSecrets, same_secret
from a7desktop.core.system_browser import open_system_browser

__all__ = [
    "DEFAULT_TIMEOUT",
    "GOOGLE_ISSUER",
    "BrowserOpener",
    "BrowserSignIn",
    "OidcConfig",
    "active_sign_in",
    "browser_sign_in",
    "open_system_browser",
]

log = get_logger("oauth")

DEFAULT_TIMEOUT = 300.0

BrowserOpener = Callable[[str], bool | Awaitable[bool]]
"""Opens a URL in the system browser; returns whether a browser opened."""

UrlNotice = Callable[[str, bool], None]
"""Told the consent URL and whether a browser opened, to show it for copying."""

AcceptToken = Callable[[str], Awaitable[Any]]
"""Uses the verified ID token (signs in to the API) before the tab is answered."""

_active: BrowserSignIn | None = None


def active_sign_in() -> BrowserSignIn | None:
    """The attempt now waiting in the browser, if any (to offer Cancel)."""
    return _active


class BrowserSignIn:
    """One sign-in attempt through the system browser.

    Create it, then await :meth:`run`. From another task, :meth:`cancel`
    ends it with :class:`SignInCancelled`; cancelling the task that awaits
    :meth:`run` ends it with ``CancelledError`` as usual. Either way the
    loopback port is closed before ``run`` returns or raises.

    Args:
        config: the provider and our client id.
        open_browser: called once with the consent URL; returns (or
            resolves to) whether a browser opened. It runs on the event loop
            and must not block for long.
        on_url: called once after the opener with the URL and whether a
            browser opened, so the caller can show the URL to copy.
        timeout: seconds to wait for the browser to come back.
        http: the client for the provider; by default one is made and closed.
        accept: awaited with the verified ID token before the browser tab is
            answered; an :class:`A7Error` it raises is shown in the tab and
            re-raised from :meth:`run`.
    """

    def __init__(
        self,
        config: OidcConfig,
        open_browser: BrowserOpener,
        *,
        on_url: UrlNotice | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        http: httpx.AsyncClient | None = None,
        accept: AcceptToken | None = None,
    ) -> None:
        self.config = config
        self.timeout = timeout
        self._open_browser = open_browser
        self._on_url = on_url
        self._http = http
        self._accept = accept
        self._cancelled = asyncio.Event()
        self._redirect_uri: str | None = None
        self._deadline: float | None = None
        self._started = False

    def __repr__(self) -> str:
        return f"<BrowserSignIn issuer={self.config.issuer!r}>"

    @property
    def redirect_uri(self) -> str | None:
        """The loopback redirect URI, once the listener is open."""
        return self._redirect_uri

    @property
    def seconds_left(self) -> float | None:
        """Seconds until the attempt times out, once it waits for the browser."""
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - asyncio.get_running_loop().time())

    def cancel(self) -> None:
        """End the attempt: :meth:`run` raises :class:`SignInCancelled`."""
        self._cancelled.set()

    async def run(self) -> str:
        """Run the attempt and return the verified ID token.

        An instance runs once; make a new one to try again.

        Raises:
            SignInBusy: another attempt is running in this process.
            OAuthError: one of the subclasses in
                :mod:`a7desktop.core.oidc_errors`, or an :class:`A7Error`
                raised by ``accept``.
        """
        global _active
        if self._started:
            raise RuntimeError("a BrowserSignIn runs once; make a new one")
        self._started = True
        if _active is not None:
            raise SignInBusy(
                "A Google sign-in is already waiting in the browser. "
                "Finish or cancel it first."
            )
        _active = self
        try:
            async with contextlib.AsyncExitStack() as stack:
                http = self._http
                if http is None:
                    http = new_http_client(self.config.issuer)
                    stack.push_async_callback(http.aclose)
                return await self._attempt(http, stack)
        finally:
            _active = None

    async def _attempt(
        self, http: httpx.AsyncClient, stack: contextlib.AsyncExitStack
    ) -> str:
        metadata = await discover(http, self.config.issuer)
        listener = await stack.enter_async_context(LoopbackListener())
        self._redirect_uri = listener.redirect_uri
        if self._cancelled.is_set():  # Cancel pressed during discovery
            raise _cancelled_error()
        attempt = AttemptSecrets.fresh()
        url = authorization_url(
            metadata, self.config, redirect_uri=listener.redirect_uri, attempt=attempt
        )

        log.info(
            "opening %s in the browser, waiting on port %d",
            without_query(metadata.authorization_endpoint),
            listener.port,
        )
        opened = await self._open(url)
        if self._on_url is not None:
            self._on_url(url, opened)
        callback = await self._wait_for_callback(listener)

        try:
            id_token = await self._complete(
                http, metadata, attempt, callback, listener.redirect_uri
            )
        except A7Error as error:
            log.info("sign-in failed: %s", error.message)
            callback.answer(failure_page(error.message))
            raise
        except BaseException:
            callback.answer(failure_page("Something went wrong in a7desktop."))
            raise
        callback.answer(success_page())
        log.info("sign-in through the browser completed")
        return id_token

    async def _open(self, url: str) -> bool:
        try:
            result = self._open_browser(url)
            if inspect.isawaitable(result):
                result = await result
        except Exception as error:  # a broken opener means "show the URL"
            log.warning("opening the browser failed: %s", type(error).__name__)
            return False
        if not result:
            log.info("no browser could be opened; the URL is shown to copy")
        return bool(result)

    async def _wait_for_callback(self, listener: LoopbackListener) -> Callback:
        self._deadline = asyncio.get_running_loop().time() + self.timeout
        arrival = asyncio.ensure_future(listener.next_callback())
        cancel = asyncio.ensure_future(self._cancelled.wait())
        try:
            done, _ = await asyncio.wait(
                {arrival, cancel},
                timeout=self.timeout,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for task in (arrival, cancel):
                task.cancel()
            await asyncio.gather(arrival, cancel, return_exceptions=True)
        if arrival in done and not arrival.cancelled():
            return arrival.result()
        if cancel in done:
            raise _cancelled_error()
        log.info("sign-in timed out after %.0f s", self.timeout)
        raise SignInTimedOut(
            f"No answer came back from the browser within {_duration(self.timeout)}. "
            "Try again."
        )

    async def _complete(
        self,
        http: httpx.AsyncClient,
        metadata: ProviderMetadata,
        attempt: AttemptSecrets,
        callback: Callback,
        redirect_uri: str,
    ) -> str:
        # The state comes first: an answer that is not ours must not even
        # report an error, let alone have its code exchanged.
        if not same_secret(attempt.state, callback.get("state")):
            raise StateMismatch(
                "The browser returned an answer that does not belong to this "
                "sign-in (state mismatch). Nothing was exchanged; try again."
            )
        error = callback.get("error")
        if error is not None:
            if error == "access_denied":
                raise SignInDenied("Google sign-in was declined in the browser.")
            raise ProviderError(provider_error_message(error))
        code = callback.get("code")
        if not code:
            raise ProviderError("The browser returned without a sign-in code.")
        register_secret(code)

        id_token = await exchange_code(
            http,
            metadata,
            self.config,
            code=code,
            redirect_uri=redirect_uri,
            verifier=attempt.verifier,
        )
        jwks = await fetch_jwks(http, metadata.jwks_uri)
        verify_id_token(
            id_token,
            jwks,
            issuer=metadata.issuer,
            client_id=self.config.client_id,
            nonce=attempt.nonce,
        )
        if self._accept is not None:
            await self._accept(id_token)
        return id_token


def _cancelled_error() -> SignInCancelled:
    log.info("sign-in cancelled")
    return SignInCancelled("Google sign-in was cancelled.")


def _duration(seconds: float) -> str:
    if seconds >= 120 and seconds % 60 == 0:
        return f"{int(seconds // 60)} minutes"
    return f"{seconds:g} seconds"


async def browser_sign_in(
    config: OidcConfig,
    open_browser: BrowserOpener = open_system_browser,
    *,
    on_url: UrlNotice | None = None,
    # Not a deadline for the whole call (the code exchange has its own HTTP
    # timeouts): how long the person has to finish in the browser.
    timeout: float = DEFAULT_TIMEOUT,  # noqa: ASYNC109
    http: httpx.AsyncClient | None = None,
    accept: AcceptToken | None = None,
) -> str:
    """Sign in through the system browser and return the verified ID token.

    A shortcut for ``await BrowserSignIn(...).run()``; see
    :class:`BrowserSignIn` for the arguments and what is raised. Cancel by
    cancelling the awaiting task.
    """
    attempt = BrowserSignIn(
        config, open_browser, on_url=on_url, timeout=timeout, http=http, accept=accept
    )
    return await attempt.run()
