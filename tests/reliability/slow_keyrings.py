"""Keyring backends that misbehave, for the fault matrix.

The window's tests pass one to ``Vault(backend=...)``; the command line gets
one through ``PYTHON_KEYRING_BACKEND=slow_keyrings.SlowSecretService`` (see
``cli_driver.keyring_env``). It wraps the real Secret Service of the test
session, so the secrets still land in the real keyring.

keyring adopts every backend class it has seen as a candidate for its own
choice of backend; a slow one must never be chosen for the whole test
process, so it says it is not viable. keyring checks that only when it
chooses by itself, not when a backend is named or handed over.
"""

from __future__ import annotations

import time
from typing import Any

from keyring.backends.SecretService import Keyring as SecretServiceKeyring
from keyring.compat import properties

SLOW_SECONDS = 5.0


class SlowSecretService(SecretServiceKeyring):
    """The real Secret Service, whose first read takes five seconds.

    As when the keyring asks for its password: the first call waits for the
    person, later ones are quick.
    """

    waited = False

    @properties.classproperty
    def viable(cls) -> bool:
        return False

    def get_password(self, service: str, username: str) -> Any:
        if not self.waited:
            time.sleep(SLOW_SECONDS)
            self.waited = True
        return super().get_password(service, username)  # type: ignore[no-untyped-call]
