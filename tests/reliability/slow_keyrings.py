"""Keyring backends that misbehave, for the fault matrix.

The window's tests pass one to ``Vault(backend=...)``; the command line gets
one through ``PYTHON_KEYRING_BACKEND=slow_keyrings.SlowSecretService`` (see
``cli_driver.keyring_env``). Both wrap the real Secret Service of the test
session, so the secrets still land in the real keyring.
"""

from __future__ import annotations

import time
from typing import Any

from keyring.backends.SecretService import Keyring as SecretServiceKeyring

SLOW_SECONDS = 5.0


class SlowSecretService(SecretServiceKeyring):
    """The real Secret Service, five seconds late on every read (an unlock prompt)."""

    def get_password(self, service: str, username: str) -> Any:
        time.sleep(SLOW_SECONDS)
        return super().get_password(service, username)  # type: ignore[no-untyped-call]
