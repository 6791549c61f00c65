"""The modules on the ``a7desktop token`` path import nothing heavy.

(That no core module loads Qt is tests/unit/test_layering.py's business.)
"""

from __future__ import annotations

import subprocess
import sys

LIGHT = (
    "a7desktop.core.config",
    "a7desktop.core.models",
    "a7desktop.core.vault",
    "a7desktop.core.fingerprint",
    "a7desktop.core.audit",
)
HEAVY = ("httpx", "jwt", "cryptography", "PySide6", "asyncio", "keyring", "truststore")


def test_the_fast_path_modules_import_nothing_heavy() -> None:
    script = (
        "import sys\n"
        + "".join(f"import {name}\n" for name in LIGHT)
        + f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
