"""PKCE verifier and challenge, state, nonce and their comparison."""

from __future__ import annotations

import logging
import re

import pytest

from a7desktop.core import log
from a7desktop.core.pkce import (
    VERIFIER_MAX_LENGTH,
    VERIFIER_MIN_LENGTH,
    AttemptSecrets,
    new_nonce,
    new_state,
    new_verifier,
    s256_challenge,
    same_secret,
)

UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")


def test_challenge_matches_the_rfc_7636_example() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_every_attempt_gets_a_fresh_verifier_within_the_rfc_bounds() -> None:
    """R3: fresh verifier per attempt, 43-128 unreserved characters."""
    attempts = [AttemptSecrets.fresh() for _ in range(50)]

    verifiers = {attempt.verifier for attempt in attempts}
    assert len(verifiers) == len(attempts)
    for attempt in attempts:
        assert VERIFIER_MIN_LENGTH <= len(attempt.verifier) <= VERIFIER_MAX_LENGTH
        assert UNRESERVED.fullmatch(attempt.verifier)
        assert attempt.challenge == s256_challenge(attempt.verifier)
        assert attempt.challenge != attempt.verifier


def test_state_and_nonce_are_fresh_and_distinct() -> None:
    states = {new_state() for _ in range(50)}
    nonces = {new_nonce() for _ in range(50)}
    assert len(states) == 50
    assert len(nonces) == 50
    assert not states & nonces


def test_repr_of_attempt_secrets_shows_no_value() -> None:
    """R26: the repr of an object holding a verifier hides it."""
    attempt = AttemptSecrets.fresh()
    text = repr(attempt)
    for value in (attempt.verifier, attempt.challenge, attempt.state, attempt.nonce):
        assert value not in text


def test_new_values_are_registered_with_the_log_filter(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R3, R26: a verifier, state or nonce that slips into a log line is hidden."""
    verifier, state, nonce = new_verifier(), new_state(), new_nonce()
    logger = log.get_logger("oauth")

    with caplog.at_level(logging.DEBUG, logger="a7desktop.oauth"):
        logger.debug("careless %s %s %s", verifier, state, nonce)

    assert caplog.messages
    for message in caplog.messages:
        for value in (verifier, state, nonce):
            assert value not in message


@pytest.mark.parametrize(
    ("received", "expected_match"),
    [
        ("abc-def-ghi", True),
        ("abc-def-ghj", False),
        ("abc-def-gh", False),
        ("", False),
        (None, False),
        ("abc-déf-ghi", False),
    ],
)
def test_same_secret_compares_whole_values(
    received: str | None, expected_match: bool
) -> None:
    assert same_secret("abc-def-ghi", received) is expected_match


def test_an_empty_expected_value_never_matches() -> None:
    assert not same_secret("", "")
