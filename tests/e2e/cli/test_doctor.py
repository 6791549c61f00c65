"""``a7desktop doctor``: a support report that answers the usual questions
and carries no secret (R26)."""

from __future__ import annotations

import json

from cli_helpers import Cli

from a7desktop.emulator import DEMO_EMAIL, DEMO_PASSWORD


def test_doctor_reports_keyring_server_clock_and_profiles(cli: Cli) -> None:
    cli.login()
    cli.server.state.clock.set_offset(600)

    result = cli.run("doctor", "--json")

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["keyring"]["persistent"] is True
    assert report["keyring"]["unlocked"] is True
    assert "SecretService" in report["keyring"]["backend"]
    assert report["server"]["reachable"] is True
    assert report["server"]["url"] == cli.server.url
    assert 595 <= report["server"]["clock_offset_seconds"] <= 605
    mine = [p for p in report["profiles"] if p["name"] == cli.profile]
    assert mine[0]["signed_in"] is True
    assert mine[0]["email"] == DEMO_EMAIL
    assert report["policy"]["present"] is False


def test_doctor_hides_proxy_credentials_and_every_token(cli: Cli) -> None:
    cli.login()
    token = cli.run("token").stdout.strip()
    proxy = "http://builder:proxy-s3cret@127.0.0.1:3128"

    result = cli.run("doctor", "--json", env={"HTTPS_PROXY": proxy})
    human = cli.run("doctor", env={"HTTPS_PROXY": proxy})

    for output in (result.stdout + result.stderr, human.stdout + human.stderr):
        assert "proxy-s3cret" not in output
        assert "builder" not in output
        assert token not in output
        assert DEMO_PASSWORD not in output
    report = json.loads(result.stdout)
    assert report["network"]["proxies"]["https"] == "http://[hidden]@127.0.0.1:3128"
    assert "(loopback is never proxied)" in human.stdout


def test_doctor_says_when_the_server_does_not_answer(cli: Cli) -> None:
    cli.server.state.faults.add("heartbeat", "drop", times=None)

    result = cli.run("doctor")

    assert result.returncode == 1
    assert f"server: {cli.server.url} NOT reachable" in result.stdout
