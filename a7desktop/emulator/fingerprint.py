"""The device fingerprint rule.

A fingerprint is five request headers. Two fingerprints are compared
component by component (exact equality; a missing header equals only a
missing header) and the weights of the equal components are summed:

=====================  ======
component              weight
=====================  ======
User-Agent             0.40
Accept-Language        0.20
Accept-Encoding        0.20
X-Screen-Resolution    0.10
X-Timezone-Offset      0.10
=====================  ======

A score of at least 0.85 is a match. So a new User-Agent, Accept-Language or
Accept-Encoding alone is refused, while a new monitor alone (0.90) or a
daylight-saving change of the timezone offset alone (0.90) passes, and both at
once (0.80) is refused. A passing but inexact match updates the recorded
fingerprint, so the next small change is measured from the new one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

MATCH_THRESHOLD = 0.85

# (header name, weight); the names are lower case, as ASGI delivers them.
COMPONENTS: tuple[tuple[str, float], ...] = (
    ("user-agent", 0.40),
    ("accept-language", 0.20),
    ("accept-encoding", 0.20),
    ("x-screen-resolution", 0.10),
    ("x-timezone-offset", 0.10),
)
HEADER_NAMES = tuple(name for name, _ in COMPONENTS)


@dataclass(frozen=True)
class Fingerprint:
    """The five components as one device presented them (``None``: absent)."""

    values: tuple[str | None, ...]

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> Fingerprint:
        return cls(tuple(headers.get(name) for name in HEADER_NAMES))

    def as_dict(self) -> dict[str, str]:
        return {
            name: value
            for name, value in zip(HEADER_NAMES, self.values, strict=True)
            if value is not None
        }


def similarity(a: Fingerprint, b: Fingerprint) -> float:
    """The summed weight of the components on which ``a`` and ``b`` agree."""
    score = sum(
        weight
        for (_, weight), left, right in zip(COMPONENTS, a.values, b.values, strict=True)
        if left == right
    )
    # Rounded so that 0.4 + 0.2 + 0.2 + 0.1 compares as 0.9, not 0.8999…
    return round(score, 6)


def matches(a: Fingerprint, b: Fingerprint) -> bool:
    return similarity(a, b) >= MATCH_THRESHOLD
