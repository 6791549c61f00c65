"""Typed reads from decoded JSON objects, with one clear error per bad field.

Configuration files, the policy file, vault items and server answers are all
JSON objects whose fields must have one type. :class:`Fields` checks a field
as it is read and raises the caller's error type with a message that names
the field and where it came from, never its value (a value may be a secret).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

from a7desktop.core.errors import A7Error

ErrorFactory = Callable[[str], A7Error]


class Fields:
    """Read fields of ``data`` (a decoded JSON object) described as ``where``.

    Every ``require_*`` method raises when the field is missing; the
    ``optional_*`` ones return ``None`` for a missing field or a JSON null.
    A present value of the wrong type always raises ``error(message)``.
    """

    def __init__(self, data: object, where: str, error: ErrorFactory) -> None:
        if not isinstance(data, Mapping):
            raise error(f"{where} is not a JSON object")
        self.data: Mapping[str, object] = data
        self.where = where
        self._error = error

    def fail(self, key: str, expected: str) -> A7Error:
        """The error for field ``key`` not holding ``expected``."""
        return self._error(f"{self.where}: {key!r} must be {expected}")

    def _get(self, key: str, required: bool, expected: str) -> object:
        value = self.data.get(key)
        if value is None and required:
            raise self._error(f"{self.where}: {key!r} is missing (expected {expected})")
        return value

    def optional_str(self, key: str, *, nonempty: bool = False) -> str | None:
        value = self._get(key, False, "a string")
        return None if value is None else self._check_str(key, value, nonempty)

    def require_str(self, key: str, *, nonempty: bool = True) -> str:
        return self._check_str(key, self._get(key, True, "a string"), nonempty)

    def _check_str(self, key: str, value: object, nonempty: bool) -> str:
        if not isinstance(value, str) or (nonempty and not value.strip()):
            raise self.fail(key, "a non-empty string" if nonempty else "a string")
        return value

    def optional_number(
        self, key: str, *, low: float | None = None, high: float | None = None
    ) -> float | None:
        value = self._get(key, False, "a number")
        return None if value is None else self._check_number(key, value, low, high)

    def require_number(
        self, key: str, *, low: float | None = None, high: float | None = None
    ) -> float:
        value = self._get(key, True, "a number")
        return self._check_number(key, value, low, high)

    def _check_number(
        self, key: str, value: object, low: float | None, high: float | None
    ) -> float:
        # bool is an int in Python but never a number in JSON's sense here.
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, "a number")
        try:
            number = float(value)
        except OverflowError:  # a JSON integer beyond a float's range
            raise self.fail(key, "a finite number") from None
        if not math.isfinite(number):
            raise self.fail(key, "a finite number")
        if low is not None and number < low:
            raise self.fail(key, _range_text(low, high))
        if high is not None and number > high:
            raise self.fail(key, _range_text(low, high))
        return number

    def optional_int(self, key: str, *, low: int, high: int) -> int | None:
        value = self._get(key, False, "a whole number")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, "a whole number")
        if not low <= value <= high:
            raise self.fail(key, f"between {low} and {high}")
        return value

    def optional_bool(self, key: str) -> bool | None:
        value = self._get(key, False, "true or false")
        if value is not None and not isinstance(value, bool):
            raise self.fail(key, "true or false")
        return value

    def optional_list(self, key: str) -> list[object] | None:
        value = self._get(key, False, "a list")
        if value is not None and not isinstance(value, list):
            raise self.fail(key, "a list")
        return value

    def optional_object(self, key: str) -> Fields | None:
        value = self._get(key, False, "an object")
        if value is None:
            return None
        return Fields(value, f"{self.where}.{key}", self._error)


def _range_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"between {low:g} and {high:g}"
    if low is not None:
        return f"at least {low:g}"
    return f"at most {high:g}"
