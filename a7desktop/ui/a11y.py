"""Accessible names for buttons Qt makes itself (dialog and message boxes).

Every control of the window carries an accessible name of its own, set
where it is built, so a screen reader never has to guess from a mnemonic
or an icon. Buttons that a ``QDialogButtonBox`` or ``QMessageBox`` creates
get theirs here, from their text.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox, QMessageBox


def name_buttons(box: QDialogButtonBox | QMessageBox) -> None:
    """Give each of ``box``'s buttons its visible text as accessible name."""
    for button in box.buttons():
        if not button.accessibleName():
            button.setAccessibleName(button.text().replace("&", ""))
