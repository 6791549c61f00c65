"""Locking the test session's gnome-keyring, and unlocking it without a prompt.

A locked keyring is the real thing here, not a stand-in: the collection is
locked over D-Bus, and opened again with the password ``scripts/run-tests``
created it with, through gnome-keyring's own master-password call (the
standard ``Unlock`` would wait for a prompt no one can answer).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import secretstorage
from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]
from secretstorage.util import format_secret, open_session

_GNOME_INTERNAL = DBusAddress(
    "/org/freedesktop/secrets",
    bus_name="org.freedesktop.secrets",
    interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
)


def is_locked() -> bool:
    with secretstorage.dbus_init() as bus:
        return bool(secretstorage.get_default_collection(bus).is_locked())


def lock() -> None:
    with secretstorage.dbus_init() as bus:
        secretstorage.get_default_collection(bus).lock()


def unlock() -> None:
    """Open the default collection with the test keyring's password."""
    password = os.environ["A7_TEST_KEYRING_PASSWORD"].encode()
    with secretstorage.dbus_init() as bus:
        path = secretstorage.get_default_collection(bus).collection_path
        secret = format_secret(open_session(bus), password, "text/plain")
        call = new_method_call(
            _GNOME_INTERNAL, "UnlockWithMasterPassword", "o(oayays)", (path, secret)
        )
        bus.send_and_get_reply(call)
    assert not is_locked(), "the test keyring did not unlock"


@contextmanager
def locked_keyring() -> Iterator[None]:
    """The keyring is locked inside the block and unlocked again after it."""
    lock()
    try:
        yield
    finally:
        unlock()
