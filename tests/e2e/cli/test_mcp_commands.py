"""The MCP service key: kept in the keyring, printed, tested."""

from __future__ import annotations

from cli_helpers import Cli


def test_set_get_and_test_the_mcp_key(cli: Cli) -> None:
    key = cli.server.state.config.mcp_api_key

    stored = cli.run("mcp-key", "set", input=key + "\n")
    assert stored.returncode == 0, stored.stderr

    got = cli.run("mcp-key", "get")
    assert got.stdout.strip() == key

    tested = cli.run("mcp-key", "test")
    assert tested.returncode == 0, tested.stderr
    assert "accepted" in tested.stderr


def test_a_wrong_mcp_key_fails_the_test_clearly(cli: Cli) -> None:
    cli.run("mcp-key", "set", input="definitely-not-the-key")

    tested = cli.run("mcp-key", "test")

    assert tested.returncode == 1
    assert "definitely-not-the-key" not in tested.stderr
    assert "key" in tested.stderr.lower()


def test_get_without_a_kept_key_says_how_to_set_one(cli: Cli) -> None:
    got = cli.run("mcp-key", "get")

    assert got.returncode == 1
    assert "mcp-key set" in got.stderr
