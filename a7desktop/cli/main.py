"""The ``a7desktop`` command line (no Qt import on any path here)."""

from __future__ import annotations

import sys


def run(argv: list[str]) -> int:
    """Parse ``argv`` and run one command; return the process exit code."""
    print("a7desktop: the command line is not built yet", file=sys.stderr)
    return 1
