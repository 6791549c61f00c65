"""No secret leaves the keyring through the window (R3, R23, R26, R27).

The window runs every flow a person can, with debug logging on every logger
(httpx and httpcore included): password sign-in through the form, refresh
now, copy the access token, create an app password (shown once, copied,
closed), keep and test the MCP key, sign out, sign in with the app password,
the mistakes (a wrong password, a mistyped app password), Google sign-in
through a browser, sign out. Then every log record, the process's stdout
and stderr, Qt's messages, every text left in the window's widgets and its
app password table, the ``repr`` of the objects that held secrets, the text
and traceback of each error raised, the clipboard after quitting, and every
file written are searched for the markers and every secret on the wire.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hygiene import Markers, search_for, sweep_files
from ledger import Facts
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from secret_search import SecretSearch, started
from ui_harness import Ui, sign_in_with_password, wait_signed_in, wait_signed_out
from wiretap import Wiretap

from a7desktop.core.errors import A7Error
from a7desktop.emulator import EmulatorServer
from a7desktop.ui.app_password_dialogs import NewAppPasswordDialog

pytestmark = pytest.mark.keyring


@pytest.fixture
def emulator(tapped: tuple[EmulatorServer, Wiretap]) -> EmulatorServer:
    """The window's harness runs against the tapped emulator."""
    return tapped[0]


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This process's temporary folder, for the duration of the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


class Browser(QObject):
    """Plays the system browser for ``QDesktopServices``: approves on a thread."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[threading.Thread] = []

    @Slot(QUrl)
    def open_url(self, url: QUrl) -> None:
        thread = threading.Thread(
            target=httpx.get,
            args=(url.toString(),),
            kwargs={"follow_redirects": True, "timeout": 30},
            daemon=True,
        )
        thread.start()
        self.threads.append(thread)


@pytest.fixture
def browser(qtbot: QtBot) -> Iterator[Browser]:
    fake = Browser()
    # The stubs ask for bytes; the binding takes the slot name as str.
    QDesktopServices.setUrlHandler("http", fake, "open_url")  # type: ignore[arg-type]
    yield fake
    QDesktopServices.unsetUrlHandler("http")
    for thread in fake.threads:
        thread.join(timeout=20)


class Evidence:
    """Texts gathered while the flows run: reprs and errors."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str, str]] = []

    def reprs(self, where: str, *objects: object) -> None:
        for thing in objects:
            name = f"repr of {type(thing).__name__} ({where})"
            self.texts.append((name, repr(thing), "reprs"))

    def error(self, where: str, error: BaseException) -> None:
        shown = traceback.format_exception(error)
        self.texts.append((f"{where}: str", str(error), "exception texts"))
        self.texts.append((f"{where}: repr", repr(error), "exception texts"))
        self.texts.append((f"{where}: traceback", "".join(shown), "exception texts"))


def _attempt(ui: Ui, evidence: Evidence, where: str, coro: Any) -> None:
    """Run a call that must fail with a typed error, and keep its texts."""
    try:
        ui.run(coro)
    except A7Error as error:
        evidence.error(where, error)
    else:
        raise AssertionError(f"{where} should have failed")


def run_every_flow(ui: Ui, markers: Markers, evidence: Evidence) -> None:
    window = ui.window
    qtbot: Any = ui.qtbot  # pytest-qt's key and mouse helpers are untyped
    panel = window.account.session_page
    form = window.account.sign_in_page

    sign_in_with_password(ui, markers.email, markers.password)
    wait_signed_in(ui)
    panel.refresh_now()
    ui.wait_until(lambda: panel.notice.text() == "Refreshed.")
    panel.copy_access_token()
    clipboard = QGuiApplication.clipboard()
    ui.wait_until(lambda: clipboard.text() == ui.engine.session.access_token)

    window.show_page(1)
    page = window.app_passwords
    ui.wait_until(lambda: page.count_label.text().endswith("app passwords"))
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    (dialog,) = [d for d in page.findChildren(NewAppPasswordDialog) if d.isVisible()]
    qtbot.keyClicks(dialog.name, "hygiene tool")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: page._dialog is not None)
    shown = page._dialog
    assert shown is not None
    app_password = shown.token_field.text()
    qtbot.mouseClick(shown.copy_button, Qt.MouseButton.LeftButton)
    shown.reject()
    evidence.reprs("signed in", ui.engine.session, ui.engine, ui.services, shown)
    ui.wait_until(lambda: any(r.info.name == "hygiene tool" for r in page.model.rows))
    for row in page.model.rows:
        evidence.texts.append(
            ("app password table", " ".join(row.cells), "table cells")
        )

    window.show_page(2)
    mcp = window.mcp
    qtbot.keyClicks(mcp.key_field, markers.mcp_key)
    qtbot.mouseClick(mcp.keep_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: mcp.has_key)
    qtbot.mouseClick(mcp.test_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: "accepted the key" in mcp.notice.text())

    window.show_page(0)
    panel.sign_out()
    wait_signed_out(ui)
    form.methods.setCurrentIndex(1)
    form.app_password.insert(f"  {app_password}\t ")  # pasted, with blanks
    qtbot.mouseClick(form.app_sign_in_button, Qt.MouseButton.LeftButton)
    wait_signed_in(ui)
    evidence.reprs("app password session", ui.engine.session)
    panel.sign_out()
    wait_signed_out(ui)

    form.methods.setCurrentIndex(0)
    sign_in_with_password(ui, markers.email, markers.wrong_password)
    ui.wait_until(lambda: form.notice.kind == "error")
    ui.wait_until(form.busy.isHidden)
    form.methods.setCurrentIndex(1)
    form.app_password.clear()
    qtbot.keyClicks(form.app_password, markers.wrong_app_password)
    qtbot.mouseClick(form.app_sign_in_button, Qt.MouseButton.LeftButton)
    ui.wait_until(lambda: "not accepted" in form.notice.text())
    ui.wait_until(form.busy.isHidden)
    engine = ui.engine
    wrong = engine.sign_in_password(markers.email, markers.wrong_password)
    _attempt(ui, evidence, "sign-in with a wrong password", wrong)
    mistyped = engine.sign_in_app_password(markers.wrong_app_password)
    _attempt(ui, evidence, "sign-in with a mistyped app password", mistyped)

    qtbot.mouseClick(form.google_button, Qt.MouseButton.LeftButton)
    wait_signed_in(ui)
    evidence.reprs("Google session", ui.engine.session)
    panel.sign_out()
    wait_signed_out(ui)


def _record_text(record: logging.LogRecord) -> str:
    """A log record as a handler would write it, traceback included."""
    return f"{record.getMessage()} {record.exc_text or ''} {record.stack_info or ''}"


def widget_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """Every text a widget of the window still holds."""
    for label in root.findChildren(QLabel):
        yield f"label {label.objectName()}", label.text()
    for field in root.findChildren(QLineEdit):
        yield f"field {field.objectName()}", field.text()
    for button in root.findChildren(QAbstractButton):
        yield f"button {button.objectName()}", button.text()
    for area in root.findChildren(QPlainTextEdit):
        yield f"text {area.objectName()}", area.toPlainText()
    for rich in root.findChildren(QTextEdit):
        yield f"text {rich.objectName()}", rich.toPlainText()
    for widget in root.findChildren(QWidget):
        yield f"tooltip of {widget.objectName()}", widget.toolTip()


def test_no_secret_leaves_the_keyring_through_the_window(
    ui: Ui,
    tapped: tuple[EmulatorServer, Wiretap],
    markers: Markers,
    browser: Browser,
    a7home: Path,
    temporary: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
    qtlog: Any,
    hygiene_facts: Facts,
) -> None:
    """R23, R26, R27, R3: logs, output, widgets, reprs, errors, clipboard, files."""
    since = started()
    caplog.set_level(logging.DEBUG)
    evidence = Evidence()

    run_every_flow(ui, markers, evidence)
    ui.window.context.clipboard.clear_now()  # as on quit

    search: SecretSearch = search_for(markers, tapped[1])
    assert len(set(search.secrets.values())) >= 8
    search.texts(
        ((f"log {r.name}", _record_text(r)) for r in caplog.records), "log lines"
    )
    out, err = capfd.readouterr()
    search.text(out, "stdout", "stdout and stderr")
    search.text(err, "stderr", "stdout and stderr")
    search.texts(((f"Qt {m.type}", m.message) for m in qtlog.records), "Qt messages")
    search.texts(widget_texts(ui.window), "widget texts")
    table = ui.window.app_passwords.model.rows
    search.texts(
        (("app password table", " ".join(r.cells)) for r in table), "table cells"
    )
    for place, text, category in evidence.texts:
        search.text(text, place, category)
    clipboard = QGuiApplication.clipboard()
    search.text(clipboard.text(), "clipboard after quit", "clipboard")
    sweep_files(search, a7home, temporary, since)

    hygiene_facts.note(front_end="window", **search.report())
    assert search.hits == []
    assert search.places["log lines"] > 100
