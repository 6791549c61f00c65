"""Entry point: ``a7desktop`` and ``python -m a7desktop``.

Decides between the window and the command line before importing either, so
a command such as ``a7desktop token`` never loads Qt.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Run the command line, or open the window when no command is given."""
    args = sys.argv[1:] if argv is None else argv
    from a7desktop.cli.main import run

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
