"""Which front end a command line opens."""

from __future__ import annotations

import pytest

from a7desktop.cli.main import _wants_window


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--debug"],
        ["--profile", "work"],
        ["--server", "https://api.agent700.ai/api", "--profile", "token"],
        ["--demo"],
        ["--profile", "x", "--self-test"],
    ],
)
def test_no_command_opens_the_window(argv: list[str]) -> None:
    assert _wants_window(argv)


@pytest.mark.parametrize(
    "argv",
    [
        ["token"],
        ["--profile", "work", "status", "--json"],
        ["--help"],
        ["--version"],
        ["--server=https://x.example/api", "login"],
    ],
)
def test_a_command_or_help_stays_on_the_command_line(argv: list[str]) -> None:
    assert not _wants_window(argv)
