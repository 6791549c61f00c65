"""The script PyInstaller freezes: the same entry point as ``a7desktop``."""

import sys

from a7desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
