"""What the reliability suite tried and how it ended, for the report.

Tests state facts as they go: a fault row says what it injected, what it
saw and whether a session was lost; a property counts every input it was
given; the hygiene tests count the secrets they looked for and the places
they searched. The pytest hooks at the end of this module join those facts
with each test's outcome and write one JSON object per test to the file
named by ``A7_RELIABILITY_RESULTS``; ``scripts/reliability-report`` prints
the summary made by :func:`summarize`.

A fact is recorded before the assertion that checks it, so a failing row
still says what went wrong.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

RESULTS_VARIABLE = "A7_RELIABILITY_RESULTS"
PROFILE_VARIABLE = "A7_HYPOTHESIS_PROFILE"
_KEY = "reliability"


@dataclass
class Facts:
    """The facts one test records; ``kind`` is fault, hygiene or property."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def note(self, **facts: Any) -> None:
        self.data.update(facts)

    def add(self, name: str, amount: int = 1) -> None:
        self.data[name] = int(self.data.get(name, 0)) + amount


class _Inputs:
    """Counts the inputs a Hypothesis property is called with (this test only)."""

    def __init__(self) -> None:
        self.count = 0


_inputs = _Inputs()


def tried() -> None:
    """Count one generated input; call first thing in a property's body."""
    _inputs.count += 1


def facts_of(node: pytest.Item, kind: str) -> Facts:
    """The facts of test ``node``, created on first use."""
    for name, value in node.user_properties:
        if name == _KEY and isinstance(value, Facts):
            return value
    facts = Facts(kind)
    node.user_properties.append((_KEY, facts))
    return facts


# -- pytest hooks (imported into conftest.py) --------------------------------

_records: list[dict[str, Any]] = []


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "reliability_property(name): a Hypothesis property of the report"
    )
    config.addinivalue_line(
        "markers", "reliability_finding: a bug this suite found (fixed, or pinned)"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    _inputs.count = 0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    finished = report.when == "call" or (report.when == "setup" and not report.passed)
    if finished:
        record = _record(item, report)
        if record is not None:
            _records.append(record)
    return report


def _outcome(report: pytest.TestReport) -> str:
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    return report.outcome


def _record(item: pytest.Item, report: pytest.TestReport) -> dict[str, Any] | None:
    outcome = _outcome(report)
    marker = item.get_closest_marker("reliability_property")
    facts = next(
        (v for k, v in item.user_properties if k == _KEY and isinstance(v, Facts)),
        None,
    )
    if marker is not None:
        name = str(marker.args[0])
        return {
            "kind": "property",
            "name": name,
            "inputs": _inputs.count,
            "outcome": outcome,
        }
    if item.get_closest_marker("reliability_finding") is not None:
        if hasattr(report, "wasxfail"):
            what = str(report.wasxfail).removeprefix("reason: ")
        else:
            name = getattr(item, "originalname", item.name)
            what = name.removeprefix("test_").replace("_", " ")
        return {
            "kind": "finding",
            "test": item.nodeid,
            "reason": what,
            "outcome": outcome,
        }
    if facts is None:
        return None
    return {"kind": facts.kind, "test": item.nodeid, "outcome": outcome, **facts.data}


def pytest_sessionfinish(session: pytest.Session) -> None:
    target = os.environ.get(RESULTS_VARIABLE)
    if not target or not _records:
        return
    with Path(target).open("a", encoding="utf-8") as stream:
        for record in _records:
            stream.write(json.dumps(record, sort_keys=True) + "\n")


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _records:
        terminalreporter.write_sep("=", "reliability")
        for line in summarize(_records):
            terminalreporter.write_line(line)


# -- the summary ---------------------------------------------------------------


def load(path: Path) -> list[dict[str, Any]]:
    """The records written to ``path``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _of(records: Iterable[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("kind") == kind]


def summarize(records: list[dict[str, Any]]) -> list[str]:
    """The report's lines: the figures first, then the tables behind them."""
    faults = _of(records, "fault")
    hygiene = _of(records, "hygiene")
    properties = _of(records, "property")
    findings = _of(records, "finding")
    lines: list[str] = []
    if faults:
        lines += _fault_lines(faults)
    if hygiene:
        lines += _hygiene_lines(hygiene)
    if properties:
        lines += _property_lines(properties)
    if findings:
        lines += _finding_lines(findings)
    return lines


def _finding_lines(findings: list[dict[str, Any]]) -> list[str]:
    by_reason: dict[str, set[str]] = {}
    for finding in findings:
        by_reason.setdefault(str(finding["reason"]), set()).add(finding["outcome"])
    states = {what: _finding_state(outcomes) for what, outcomes in by_reason.items()}
    fixed = sum(1 for state in states.values() if state == "fixed")
    pinned = sum(1 for state in states.values() if state == "pinned")
    lines = [
        "",
        f"Bugs this suite found: {len(states)} ({fixed} fixed, now regression "
        f"tests; {pinned} still pinned by a strict xfail)",
    ]
    for what, state in sorted(states.items(), key=lambda item: item[1] != "pinned"):
        lines.append(f"  [{state}] {what}")
    return lines


def _finding_state(outcomes: set[str]) -> str:
    if outcomes == {"passed"}:
        return "fixed"
    if outcomes == {"xfailed"}:
        return "pinned"
    return "FAILING"


def _fault_lines(faults: list[dict[str, Any]]) -> list[str]:
    survived = [f for f in faults if f["outcome"] == "passed"]
    served = sum(int(f.get("answers_faulted", 0)) for f in faults)
    refreshes = sum(int(f.get("refresh_attempts", 0)) for f in faults)
    ended = Counter(f.get("ended", "") for f in survived if f.get("ended"))
    lines = [
        "Fault matrix (command line and window, against the emulator)",
        f"  faults injected:      {len(faults)} scenarios, "
        f"{served} faulty answers served",
        f"  survived as expected: {len(survived)} of {len(faults)}",
        f"  sessions lost:        {sum(1 for f in faults if f.get('session_lost'))}",
        f"  refresh-token reuse:  {sum(int(f.get('reuse', 0)) for f in faults)} "
        f"(of {refreshes} refresh requests the server saw)",
    ]
    if ended:
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(ended.items()))
        lines.append(f"  sessions ended as RELIABILITY.md expects: {why}")
    lines += [
        "",
        "  fault                              front end  rules        outcome",
    ]
    for f in sorted(faults, key=lambda r: (r.get("order", 0), r.get("front_end", ""))):
        mark = "ok  " if f["outcome"] == "passed" else "FAIL"
        lines.append(
            f"  {mark} {f.get('title', f['test'])[:31]:<31} "
            f"{f.get('front_end', '?'):<10} {','.join(f.get('rules', [])):<12} "
            f"{f.get('observed', '')}"
        )
    return lines


def _hygiene_lines(hygiene: list[dict[str, Any]]) -> list[str]:
    found = sum(int(h.get("found", 0)) for h in hygiene)
    secrets = sum(int(h.get("secrets", 0)) for h in hygiene)
    lines = [
        "",
        "Secret hygiene (every flow with debug logging)",
        f"  secrets found:        {found}",
        f"  secrets looked for:   {secrets} distinct values "
        "(planted, and every token seen on the wire)",
    ]
    places = Counter[str]()
    for record in hygiene:
        places.update({k: int(v) for k, v in record.get("places", {}).items()})
        if record["outcome"] != "passed":
            lines.append(f"  FAILED: {record['test']}")
    searched = ", ".join(f"{n} {what}" for what, n in sorted(places.items()))
    lines.append(f"  searched:             {searched}")
    return lines


def _property_lines(properties: list[dict[str, Any]]) -> list[str]:
    profile = os.environ.get(PROFILE_VARIABLE, "ci")
    lines = ["", f"Bad input (Hypothesis, profile {profile})"]
    lines.append(f"  {'property':<58} {'inputs':>7}  result")
    for prop in sorted(properties, key=lambda p: str(p["name"])):
        result = "no failure" if prop["outcome"] == "passed" else prop["outcome"]
        lines.append(f"  {prop['name']:<58} {prop['inputs']:>7}  {result}")
    return lines
