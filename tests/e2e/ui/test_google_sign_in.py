"""Google sign-in from the window: the button, the waiting state, each ending.

The system browser is replaced by a URL handler registered with
``QDesktopServices`` (the same call the window makes); it plays the browser
on a thread with real HTTP: it loads the emulator's consent page, answers
it, and follows the redirect back to the window's loopback listener.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from pytestqt.qtbot import QtBot
from ui_harness import Ui, wait_signed_in

from a7desktop.emulator import DEMO_EMAIL, EmulatorConfig


def _approve(url: str) -> None:
    # With auto-approve the consent page redirects straight back.
    httpx.get(url, follow_redirects=True, timeout=10)


def _deny(url: str) -> None:
    page = httpx.get(url, timeout=10)
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text)
    assert request_id is not None
    httpx.post(
        str(page.url),
        data={"request_id": request_id.group(1), "decision": "deny"},
        follow_redirects=True,
        timeout=10,
    )


class FakeBrowser(QObject):
    """Receives the URLs the window opens; answers them on a thread."""

    def __init__(self, answer: Callable[[str], None] | None) -> None:
        super().__init__()
        self.answer = answer
        self.opened: list[str] = []
        self.threads: list[threading.Thread] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        text = url.toString()
        self.opened.append(text)
        if self.answer is not None:
            thread = threading.Thread(target=self.answer, args=(text,), daemon=True)
            thread.start()
            self.threads.append(thread)


@pytest.fixture
def browser(qtbot: QtBot) -> Iterator[FakeBrowser]:
    fake = FakeBrowser(_approve)
    QDesktopServices.setUrlHandler("http", fake, "open_url")
    yield fake
    QDesktopServices.unsetUrlHandler("http")
    for thread in fake.threads:
        # The window must keep running to answer the browser's last request.
        qtbot.waitUntil(lambda thread=thread: not thread.is_alive(), timeout=10_000)


@pytest.fixture
def emulator_config(request: pytest.FixtureRequest) -> EmulatorConfig:
    approve = getattr(request, "param", True)
    return EmulatorConfig(auto_approve=approve)


def test_google_button_signs_in_through_the_browser(
    ui: Ui, browser: FakeBrowser
) -> None:
    page = ui.window.account.sign_in_page
    assert page.google_button.isEnabled()

    ui.qtbot.mouseClick(page.google_button, Qt.MouseButton.LeftButton)

    wait_signed_in(ui)
    assert browser.opened[0].startswith(ui.server.google_issuer)
    assert "redirect_uri=http%3A%2F%2F127.0.0.1%3A" in browser.opened[0]
    panel = ui.window.account.session_page
    assert panel.fields["method"].text() == "Google"
    assert panel.fields["account"].text() == DEMO_EMAIL


@pytest.mark.parametrize("emulator_config", [False], indirect=True)
def test_denied_consent_is_said(ui: Ui, browser: FakeBrowser) -> None:
    browser.answer = _deny
    page = ui.window.account.sign_in_page

    ui.qtbot.mouseClick(page.google_button, Qt.MouseButton.LeftButton)

    ui.wait_until(lambda: page.notice.kind == "error")
    assert (
        "denied" in page.notice.text().lower()
        or "declined" in page.notice.text().lower()
    )
    assert ui.engine.session is None
    # The message is shown as the attempt ends; the busy state clears after it.
    ui.wait_until(page.google_button.isEnabled)


@pytest.mark.parametrize("emulator_config", [False], indirect=True)
def test_waiting_shows_time_left_and_can_be_cancelled(
    ui: Ui, browser: FakeBrowser
) -> None:
    browser.answer = None  # the person never comes back from the browser
    page = ui.window.account.sign_in_page

    ui.qtbot.mouseClick(page.google_button, Qt.MouseButton.LeftButton)

    ui.wait_until(lambda: "left" in page.busy_label.text())
    assert "Waiting for you to finish in the browser" in page.busy_label.text()
    ui.qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    ui.wait_until(page.busy.isHidden)
    assert "cancel" in page.notice.text().lower()
    assert page.google_button.isEnabled()


def test_without_a_browser_the_link_is_shown(
    ui: Ui, browser: FakeBrowser, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = ui.window.account.sign_in_page
    monkeypatch.setattr(page, "_open_url", lambda url: False)
    # Rebuild the Google helper so it picks up the opener that fails.
    page.detach()
    page.attach(ui.services)

    ui.qtbot.mouseClick(page.google_button, Qt.MouseButton.LeftButton)

    ui.wait_until(page.link_row.isVisible)
    link = page.link_field.text()
    assert link.startswith(ui.server.google_issuer)
    assert "No browser opened" in page.notice.text()
    # The person opens the link by hand (on a thread: the window must keep
    # running to receive the redirect).
    thread = threading.Thread(target=_approve, args=(link,), daemon=True)
    thread.start()
    wait_signed_in(ui)
    ui.wait_until(lambda: not thread.is_alive())
