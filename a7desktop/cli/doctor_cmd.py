"""``a7desktop doctor``: what a support engineer asks for, with no secret in it.

It reports the version and platform, the keyring backend and whether it can
be used right now, whether the server answers and how fast, how far this
computer's clock is from the server's, the proxy and certificate settings in
force, the policy file, and each profile's state. Proxy addresses lose any
user name and password; tokens are never read out, only whether one is
stored and how long it lives.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import time
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from a7desktop import __version__
from a7desktop.cli import term
from a7desktop.cli.runtime import profile_for
from a7desktop.core.errors import A7Error, VaultLocked

CA_VARIABLES = ("SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE")


def register(commands: Any) -> None:
    """Add ``doctor``."""
    doctor = commands.add_parser(
        "doctor",
        help="check the keyring, the server and the settings; print a report",
        description="A redacted report to paste into a support request.",
    )
    doctor.add_argument("--json", action="store_true", help="print JSON")
    doctor.set_defaults(func=cmd_doctor)


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, f"[hidden]@{host}", parts.path, "", ""))


def _network_settings() -> dict[str, Any]:
    proxies = {
        scheme: _without_credentials(url)
        for scheme, url in sorted(urllib.request.getproxies().items())
        if scheme != "no"
    }
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy")
    return {
        "proxies": proxies,
        "no_proxy": no_proxy,
        "loopback_proxied": False,
        "trust": "operating system certificate store",
        "ca_variables": {
            name: os.environ[name] for name in CA_VARIABLES if name in os.environ
        },
    }


def _policy_report() -> dict[str, Any]:
    from a7desktop.core.policy import load_policy, policy_path

    path = policy_path()
    report: dict[str, Any] = {"path": str(path), "present": path.exists()}
    try:
        policy = load_policy()
    except A7Error as error:
        report["error"] = str(error)
        return report
    settings = {
        "server": policy.server,
        "allowed_methods": sorted(policy.allowed_methods)
        if policy.allowed_methods is not None
        else None,
        "refresh_lead_seconds": policy.refresh_lead_seconds,
        "clipboard_timeout_seconds": policy.clipboard_timeout_seconds,
        "google_issuer": policy.google_issuer,
        "google_client_id": policy.google_client_id,
    }
    report["settings"] = {k: v for k, v in settings.items() if v is not None}
    return report


def _profile_names() -> list[str]:
    from a7desktop.core.config import profile_names

    try:
        return profile_names()
    except A7Error:
        return ["default"]  # the settings error is reported per profile


def _keyring_and_profiles(
    args: argparse.Namespace,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from a7desktop.core.config import resolve_profile
    from a7desktop.core.vault import Vault

    vault = Vault(timeout=5.0)
    storage = vault.storage()
    keyring: dict[str, Any] = {
        "backend": storage.backend,
        "persistent": storage.persistent,
        "reason": storage.reason,
        "unlocked": None,
    }
    profiles: list[dict[str, Any]] = []
    now = time.time()
    for name in sorted({*_profile_names(), args.profile}):
        entry: dict[str, Any] = {"name": name}
        try:
            profile = resolve_profile(
                name, args.server if name == args.profile else None
            )
            entry["server"] = profile.server
            session = vault.load_session_sync(name)
            keyring["unlocked"] = True
        except A7Error as error:
            entry["error"] = str(error)
            if isinstance(error, VaultLocked):
                keyring["unlocked"] = False
            profiles.append(entry)
            continue
        entry["signed_in"] = session is not None and session.server == profile.server
        if session is not None:
            entry.update(
                email=session.email,
                auth_type=session.auth_type,
                expires_in=int(session.expires_in(now)),
                refreshable=session.refreshable,
            )
        profiles.append(entry)
    vault.close()
    return keyring, profiles


async def _server_report(args: argparse.Namespace) -> dict[str, Any]:
    from a7desktop.core.api import ApiClient
    from a7desktop.core.fingerprint import device_fingerprint

    profile = profile_for(args)
    report: dict[str, Any] = {"url": profile.server, "source": profile.server_source}
    api = ApiClient(profile.server, device_fingerprint(profile.settings))
    try:
        sent = time.time()
        started = time.monotonic()
        response = await api.send("GET", "/auth/heartbeat")
        latency = time.monotonic() - started
        received = time.time()
    except A7Error as error:
        report.update(reachable=False, error=str(error))
        return report
    finally:
        await api.aclose()
    report.update(
        reachable=response.status_code == 200,
        status=response.status_code,
        latency_ms=round(latency * 1000, 1),
    )
    date = response.headers.get("Date")
    if date:
        try:
            server_time = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError):
            report["clock_offset_seconds"] = None
        else:
            # The server's Date has one-second resolution: compare with the
            # middle of the round trip and report whole seconds.
            report["clock_offset_seconds"] = round(server_time - (sent + received) / 2)
    return report


def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Gather the whole report; every part fails on its own, never the whole."""
    keyring, profiles = _keyring_and_profiles(args)
    return {
        "version": __version__,
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "python": platform.python_version(),
            "frozen": bool(getattr(sys, "frozen", False)),
        },
        "keyring": keyring,
        "server": asyncio.run(_server_report(args)),
        "network": _network_settings(),
        "policy": _policy_report(),
        "profiles": profiles,
    }


def _print_human(report: dict[str, Any]) -> None:
    system = report["platform"]
    print(f"a7desktop {report['version']}")
    print(
        f"  platform: {system['system']} {system['release']} ({system['machine']}), "
        f"Python {system['python']}"
    )
    keyring = report["keyring"]
    state = {True: "unlocked", False: "LOCKED", None: "not checked"}[
        keyring["unlocked"]
    ]
    if keyring["persistent"]:
        print(f"  keyring: {keyring['backend']}, {state}")
    else:
        print(f"  keyring: none usable ({keyring['reason']}); sessions in memory only")
    server = report["server"]
    if server.get("reachable"):
        offset = server.get("clock_offset_seconds")
        clock = "unknown" if offset is None else f"{offset:+d} s"
        print(
            f"  server: {server['url']} answers in {server['latency_ms']} ms; "
            f"clock offset {clock}"
        )
    else:
        why = server.get("error") or f"HTTP {server.get('status')}"
        print(f"  server: {server['url']} NOT reachable: {why}")
    network = report["network"]
    proxies = ", ".join(f"{k}={v}" for k, v in network["proxies"].items()) or "none"
    print(f"  proxies: {proxies} (loopback is never proxied)")
    print(f"  trust: {network['trust']}")
    policy = report["policy"]
    if "error" in policy:
        print(f"  policy: {policy['path']}: {policy['error']}")
    elif policy["present"]:
        print(f"  policy: {policy['path']}: {json.dumps(policy['settings'])}")
    else:
        print(f"  policy: none ({policy['path']} absent)")
    for entry in report["profiles"]:
        if "error" in entry:
            print(f"  profile {entry['name']}: {entry['error']}")
        elif entry.get("signed_in"):
            print(
                f"  profile {entry['name']}: {entry['email']} at {entry['server']}, "
                f"token expires in {term.duration(entry['expires_in'])}"
            )
        else:
            print(f"  profile {entry['name']}: signed out ({entry['server']})")


def cmd_doctor(args: argparse.Namespace) -> int:
    """Print the report; exit 1 when the keyring or the server has a problem."""
    report = collect(args)
    if args.json:
        term.print_json(report)
    else:
        _print_human(report)
    healthy = (
        report["keyring"]["persistent"]
        and report["keyring"]["unlocked"] is not False
        and report["server"].get("reachable") is True
    )
    return 0 if healthy else 1
