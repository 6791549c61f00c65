"""Named log categories and the filter that keeps secrets out of log lines.

Categories (``a7desktop.<name>``):

========  ==========================================================
auth      sign-in, sign-out, what the session engine decides
refresh   proactive and reactive refresh, the cross-process lock
http      one line per request: method, path (never the query), status
vault     keyring reads and writes, backend detection, timeouts
oauth     the browser sign-in flow and the loopback listener
config    configuration, policy and profile resolution
ui        the window and tray
cli       the command line
emulator  the local Agent700 emulator
========  ==========================================================

Levels: DEBUG is for developers tracing a flow; INFO marks a state change a
user would care about (signed in, refreshed); WARNING is a recoverable fault
(a retry, a keyring that is slow); ERROR is a failure the user is told about.
What a person must see goes to the window or the terminal, not only here.

Secrets are redacted twice: objects that hold one hide it in their ``repr``,
and :class:`SecretFilter` rewrites every record, both by shape (JWTs, app
passwords, refresh cookies, OAuth codes) and by value (strings registered
with :func:`register_secret` as soon as they enter the process).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from typing import Any

CATEGORIES = (
    "auth",
    "refresh",
    "http",
    "vault",
    "oauth",
    "config",
    "ui",
    "cli",
    "emulator",
)

REDACTED = "[redacted]"

# Where a secret follows a harmless prefix, the prefix is a group and is kept.
_SHAPES = re.compile(
    r"""
    eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*   # a JWT or its header
    | app_a7_[0-9A-Za-z]+                           # an app password
    | (refreshToken=)[^;\s"']+                        # a refresh cookie
    | ([?&](?:code|state|code_verifier|id_token|token)=)[^&\s"']+
    | (Bearer\s+)[^\s"']+
    """,
    re.VERBOSE,
)


def _hide(match: re.Match[str]) -> str:
    prefix = next((group for group in match.groups() if group), "")
    return prefix + REDACTED


_MAX_REGISTERED = 512
_registered: OrderedDict[str, None] = OrderedDict()
_registered_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that any log line containing it is redacted.

    Short values are ignored: redacting a three-letter word would mangle
    ordinary text and protect nothing.
    """
    if not value or len(value) < 8:
        return
    with _registered_lock:
        _registered[value] = None
        _registered.move_to_end(value)
        while len(_registered) > _MAX_REGISTERED:
            _registered.popitem(last=False)


def redact(text: str) -> str:
    """Return ``text`` with every known secret and secret-shaped run hidden."""
    with _registered_lock:
        values = list(_registered)
    for value in values:
        if value in text:
            text = text.replace(value, REDACTED)
    return _SHAPES.sub(_hide, text)


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[1] is not None:
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text)
        record.exc_info = None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class SecretFilter(logging.Filter):
    """Rewrite each record's message, arguments and traceback with :func:`redact`.

    Records are already redacted when they are made (see
    :func:`install_redaction`); a handler that wants to be sure regardless of
    how logging was set up adds this filter too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def get_logger(category: str) -> logging.Logger:
    """Return the logger of one of :data:`CATEGORIES`."""
    if category not in CATEGORIES:
        raise ValueError(f"unknown log category {category!r}")
    return logging.getLogger(f"a7desktop.{category}")


def configure_logging(debug: bool, stream: Any = None) -> None:
    """Log to ``stream`` (stderr by default): everything with ``debug``,
    else warnings and errors only. The handler redacts too, whatever else
    configured logging in the process."""
    import sys

    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.addFilter(SecretFilter())
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


_installed = False


def install_redaction() -> None:
    """Redact every log record of the process as it is made.

    A filter on a logger does not apply to records of its child loggers
    (``httpcore.http11`` logs response headers, a refresh cookie among
    them), and a handler filter depends on who configured logging. The
    record factory sees every record of every logger, and only records that
    passed the level check, so the cost falls on lines actually logged.
    """
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(redacting_factory)
    _installed = True


install_redaction()
