"""The logging filter hides secrets by shape and by registered value (R26)."""

from __future__ import annotations

import logging

import pytest

from a7desktop.core import log

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl"
APP_PASSWORD = "app_a7_" + "0123456789abcdef" * 2


def test_redact_hides_secret_shapes() -> None:
    text = (
        f"Bearer {JWT} token {APP_PASSWORD} Set-Cookie: refreshToken=abc123def; "
        "GET /cb?code=4/0Abc&state=xyz"
    )
    redacted = log.redact(text)
    for secret in (JWT, APP_PASSWORD, "abc123def", "4/0Abc", "xyz"):
        assert secret not in redacted
    assert "Set-Cookie: refreshToken=" in redacted


def test_redact_hides_registered_values_of_any_shape() -> None:
    log.register_secret("correct horse battery staple")
    assert log.redact("password is correct horse battery staple!") == (
        "password is [redacted]!"
    )


def test_short_values_are_not_registered() -> None:
    log.register_secret("abc")
    assert log.redact("abcdef") == "abcdef"


def test_category_loggers_redact_arguments_and_tracebacks(
    caplog: pytest.LogCaptureFixture,
) -> None:
    logger = log.get_logger("auth")
    with caplog.at_level(logging.DEBUG, logger="a7desktop"):
        logger.debug("signed in with %s", APP_PASSWORD)
        try:
            raise ValueError(f"bad token {JWT}")
        except ValueError:
            logger.exception("failed")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert APP_PASSWORD not in text
    assert JWT not in text
    assert "signed in with [redacted]" in text


def test_unknown_category_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown log category"):
        log.get_logger("misc")


def test_records_of_any_logger_are_redacted_as_they_are_made(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """R26: third-party child loggers (httpcore.http11 logs headers) too."""
    child = logging.getLogger("httpcore.http11")
    with caplog.at_level(logging.DEBUG, logger="httpcore"):
        child.debug(
            "receive_response_headers.complete return_value=%r",
            (
                b"set-cookie",
                b"refreshToken=rt-0123456789abcdef; HttpOnly",
            ),
        )

    assert "rt-0123456789abcdef" not in caplog.text
    assert "refreshToken=[redacted]" in caplog.text
