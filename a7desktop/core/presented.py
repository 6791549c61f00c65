"""Which refresh tokens this computer has already presented to the server.

A refresh token is good for one use. If the answer to a refresh is lost, or
a process dies between sending a refresh and saving its result, the token
left in the vault may already be spent, and presenting it again would look
like theft to the server (reuse detection ends the whole session). So a
token is marked here *before* it is sent, unmarked only when the request
certainly did not reach the server, and a marked token is never sent again.

The file holds truncated SHA-256 digests, not tokens: nothing in it can be
used to sign in. It is read and written only under the profile's session
lock.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from a7desktop.core.statefile import read_json, write_json

KEEP = 64  # digests kept; older ones belong to long-dead token families


def token_id(token: str) -> str:
    """A stable, non-secret name for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


class PresentedTokens:
    """The set of presented refresh tokens for one profile, kept in ``path``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def _load(self) -> list[str]:
        data = read_json(self.path)
        if not isinstance(data, list):
            return []
        return [item for item in data if isinstance(item, str)]

    def _store(self, ids: list[str]) -> None:
        # A failed write is only logged: the lock and the vault re-read
        # already prevent double use between live processes; this file only
        # covers crashes and lost answers, and must not stop a refresh.
        write_json(self.path, ids[-KEEP:])

    def __contains__(self, token: object) -> bool:
        return isinstance(token, str) and token_id(token) in self._load()

    def add(self, token: str) -> None:
        """Mark ``token`` as presented (call before sending it)."""
        ids = self._load()
        ident = token_id(token)
        if ident not in ids:
            self._store([*ids, ident])

    def discard(self, token: str) -> None:
        """Unmark ``token``: the request carrying it certainly did not arrive."""
        ids = self._load()
        ident = token_id(token)
        if ident in ids:
            ids.remove(ident)
            self._store(ids)
