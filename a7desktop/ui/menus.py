"""The window's menus and keyboard shortcuts.

The menu bar's titles are part of the first frame; the actions under them
and their shortcuts are added right after it is painted (the first shortcut
Qt registers costs tens of milliseconds). Every action here works from any
page; shortcuts that belong to one page (Ctrl+F, Ctrl+N and Delete on the
app passwords page) live with that page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMenu

# Page N of the page list (1 = Account) is shown with Ctrl+N.
PAGE_SHORTCUT = "Ctrl+{number}"


class MenuActions:
    """The actions of the File, Session, View and Help menus.

    Attributes:
        quit_action: quit the program (Ctrl+Q).
        close_action: close the window, to the tray when it has one (Ctrl+W).
        refresh_action: refresh the session now (F5).
        copy_token_action: copy the access token (Ctrl+Shift+C).
        sign_out_action: sign out (no shortcut: it should take a deliberate
            click).
        page_actions: show page N (Ctrl+1 … Ctrl+5).
        shortcuts_action: list the keyboard shortcuts (F1).
    """

    def __init__(
        self,
        window: QMainWindow,
        menus: dict[str, QMenu],
        page_titles: list[str],
    ) -> None:
        # Not the platform's standard Quit key: Windows has none, and a
        # program that lives in the tray needs one everywhere (Cmd+Q on macOS).
        self.quit_action = _action(window, "&Quit", "Ctrl+Q")
        self.close_action = _action(
            window, "&Close Window", QKeySequence.StandardKey.Close
        )
        menus["file"].addAction(self.close_action)
        menus["file"].addSeparator()
        menus["file"].addAction(self.quit_action)

        self.refresh_action = _action(window, "&Refresh Now", "F5")
        self.copy_token_action = _action(window, "&Copy Access Token", "Ctrl+Shift+C")
        self.sign_out_action = _action(window, "Sign &Out", None)
        for action in self.session_actions:
            action.setEnabled(False)
            menus["session"].addAction(action)

        self.page_actions = [
            _action(window, title, PAGE_SHORTCUT.format(number=number))
            for number, title in enumerate(page_titles, start=1)
        ]
        menus["view"].addActions(self.page_actions)

        self.shortcuts_action = _action(
            window, "&Keyboard Shortcuts", QKeySequence.StandardKey.HelpContents
        )
        menus["help"].addAction(self.shortcuts_action)
        # Actions in a menu bar that the platform hides (macOS, some
        # desktops' global menus) still need their shortcuts to work.
        window.addActions(
            [
                self.quit_action,
                self.close_action,
                *self.session_actions,
                *self.page_actions,
                self.shortcuts_action,
            ]
        )

    @property
    def session_actions(self) -> list[QAction]:
        """The actions that need a session: refresh, copy, sign out."""
        return [self.refresh_action, self.copy_token_action, self.sign_out_action]


def _action(
    window: QMainWindow, text: str, shortcut: QKeySequence.StandardKey | str | None
) -> QAction:
    action = QAction(text, window)
    if isinstance(shortcut, QKeySequence.StandardKey):
        # Every key the platform binds to it (Close is Ctrl+W and Ctrl+F4).
        action.setShortcuts(shortcut)
    elif shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    return action


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action that has a shortcut, as shown to people.

    Only an action's first key is listed: the one its menu shows too.
    """
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((action.text().replace("&", ""), keys))
    return rows
