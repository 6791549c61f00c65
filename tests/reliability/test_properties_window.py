"""The window's sign-in form given any text: an inline message, never a crash.

Arbitrary email, password and app-password text goes into the real form of
the real window, and the button is pressed; the engine behind it talks to a
stand-in server that refuses every sign-in. Each attempt must end with the
form idle again and an error message in it that is neither empty nor the
catch-all for an unexpected exception, and an app password that is not well
formed must never reach the server (R28, R33).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from bad_input import app_passwords, mixed, typed_text
from hypothesis import given
from hypothesis import strategies as st
from ledger import tried
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from ui_harness import run
from window_driver import JumpingClock, attach

from a7desktop.core.config import Profile, resolve_profile
from a7desktop.core.engine import SessionEngine, open_engine
from a7desktop.core.vault import MemoryVault
from a7desktop.ui.context import StartOptions, WindowContext
from a7desktop.ui.window import MainWindow

SERVER = "http://127.0.0.1:8700/api"
UNEXPECTED = "Something unexpected went wrong"
WELL_FORMED = re.compile(r"app_a7_[0-9A-Za-z]{32}")


class RefusingServer:
    """Answers every sign-in with 401 and counts what reached it."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        body = {"error": "invalid_credentials", "message": "No."}
        return httpx.Response(401, json=body)


@dataclass
class Form:
    window: MainWindow
    server: RefusingServer

    @property
    def page(self) -> Any:
        return self.window.account.sign_in_page


def pump_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let Qt (and the asyncio tasks it runs) work until ``condition`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the form did not settle"
        QApplication.processEvents()
        time.sleep(0.0002)


@pytest.fixture
def form(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, a7home: Path, no_policy: Path
) -> Iterator[Form]:
    profile: Profile = resolve_profile("form-fuzz", SERVER)
    server = RefusingServer()

    def engine(chosen: Profile, clock: JumpingClock) -> SessionEngine:
        transport = httpx.MockTransport(server)
        return open_engine(
            chosen, vault=MemoryVault(), transport=transport, clock=clock
        )

    window = MainWindow(WindowContext(StartOptions()))
    window.show()
    qtbot.waitExposed(window)
    services = run(qtbot, attach(window, profile, JumpingClock(), engine))
    yield Form(window, server)
    run(qtbot, window.context.tasks.cancel_all())
    window.detach()
    run(qtbot, services.aclose())
    window.prepare_quit()
    window.close()
    window.deleteLater()


@pytest.mark.reliability_property("window sign-in form: any text")
@given(
    app_password_tab=st.booleans(),
    email=mixed(st.just("@"), st.just("a@example.com"), typed=True),
    password=typed_text,
    pasted=mixed(app_passwords, typed=True),
)
def test_the_sign_in_form_answers_any_text_with_a_message(
    form: Form, app_password_tab: bool, email: str, password: str, pasted: str
) -> None:
    tried()
    page = form.page
    before = form.server.requests
    page.notice.clear_message()
    page.methods.setCurrentIndex(1 if app_password_tab else 0)
    if app_password_tab:
        page.app_password.setText(pasted)
        button = page.app_sign_in_button
    else:
        page.email.setText(email)
        page.password.setText(password)
        button = page.sign_in_button

    button.click()
    pump_until(lambda: page.busy.isHidden() and bool(page.notice.text()))

    shown = page.notice.text()
    assert page.notice.kind == "error"
    assert UNEXPECTED not in shown
    assert "\n" not in shown.strip()
    still_signed_out = form.window.account.layers.currentWidget() is form.page
    assert still_signed_out
    if app_password_tab and form.server.requests > before:
        assert WELL_FORMED.search(pasted), "a malformed paste reached the server"
    assert button.isEnabled()  # ready for the next try
