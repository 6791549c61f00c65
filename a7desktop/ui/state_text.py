"""How each session state is named, coloured and iconed in the window and tray.

Keyed by the lower-case name of the engine's ``SessionState`` member, so
this module does not import the engine (it is used before it is loaded).
"""

from __future__ import annotations

STATE_LABELS = {
    "active": "Active",
    "refreshing": "Refreshing…",
    "expiring_soon": "Expiring soon",
    "expired": "Expired",
    "signed_out": "Signed out",
    "offline": "Offline",
}

# Badge colours: readable with white text on light and dark themes.
STATE_COLOURS = {
    "active": "#15803d",
    "refreshing": "#1d4ed8",
    "expiring_soon": "#b45309",
    "expired": "#b91c1c",
    "signed_out": "#4b5563",
    "offline": "#6d28d9",
}

# The tray icon file for each state (resources/icons/tray-<name>.svg).
TRAY_ICONS = {
    "active": "active",
    "refreshing": "refreshing",
    "expiring_soon": "expiring",
    "expired": "expired",
    "signed_out": "signed-out",
    "offline": "offline",
}

METHOD_LABELS = {
    "password": "Email and password",
    "google": "Google",
    "google_oauth": "Google",
    "app_password": "App password",
}


def state_name(state: object) -> str:
    """The lower-case name of a ``SessionState`` member (or of a string)."""
    name = getattr(state, "name", None)
    if isinstance(name, str):
        return name.lower()
    return str(state).lower()
