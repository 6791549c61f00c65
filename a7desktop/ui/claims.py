"""Showing what an access token says about itself: display only.

The payload of a JWT is decoded without checking its signature, and is only
ever shown to the person. Nothing in the program decides anything from
these claims (the session's expiry comes from the server's ``expiresIn``,
measured on the local clock).
"""

from __future__ import annotations

import base64
import json
import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from a7desktop.ui.a11y import name_buttons

_TIME_CLAIMS = ("exp", "iat", "nbf")


def decode_claims(token: str) -> dict[str, object]:
    """The JWT payload as a dict, unverified.

    Raises:
        ValueError: the token is not a JWT with a JSON object payload.
    """
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a JWT")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, UnicodeError):
        raise ValueError("the token's payload is not readable") from None
    if not isinstance(data, dict):
        raise ValueError("the token's payload is not a JSON object")
    return data


def describe_claims(claims: dict[str, object]) -> str:
    """Claims as indented JSON, with times also written as local dates."""
    lines = [json.dumps(claims, indent=2, sort_keys=True, ensure_ascii=False)]
    notes = []
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            local = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(value))
            notes.append(f"{name}: {local}")
    if notes:
        lines.append("")
        lines.extend(notes)
    return "\n".join(lines)


class ClaimsDialog(QDialog):
    """A window that shows decoded claims; it never shows the token itself."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Access token claims")
        self.setObjectName("claimsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(520, 420)
        layout = QVBoxLayout(self)
        note = QLabel(
            "Decoded from the access token for display only; the signature is "
            "not checked here and nothing is decided from these values."
        )
        note.setWordWrap(True)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Claims")
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        name_buttons(buttons)
        buttons.rejected.connect(self.reject)
        layout.addWidget(note)
        layout.addWidget(self.text, 1)
        layout.addWidget(buttons)
