"""Looking for secrets where none may be: files, logs, output, errors, arguments.

:class:`SecretSearch` holds the secrets (planted markers and everything the
wiretap saw) and is shown each place in turn. A hit is kept as "which kind
of secret, where", never as the secret itself, so a failing test does not
print what it found. Each secret is also looked for URL-encoded, since a
leak through a logged URL would take that form.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# Files larger than this are not the program's (it writes small JSON files).
MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Hit:
    kind: str
    place: str


@dataclass
class SecretSearch:
    """Secrets by value (``{value: kind}``) and what searching them found."""

    secrets: dict[str, str]
    hits: list[Hit] = field(default_factory=list)
    places: Counter[str] = field(default_factory=Counter)

    def _forms(self) -> Iterator[tuple[str, str]]:
        for value, kind in self.secrets.items():
            yield value, kind
            encoded = quote(value, safe="")
            if encoded != value:
                yield encoded, kind

    def text(self, text: str, place: str, category: str) -> None:
        """Search one piece of text; ``category`` is what the report counts."""
        self.places[category] += 1
        for form, kind in self._forms():
            if form in text:
                self.hits.append(Hit(kind, place))

    def texts(self, texts: Iterable[tuple[str, str]], category: str) -> None:
        for place, text in texts:
            self.text(text, place, category)

    def tree(
        self,
        root: Path,
        category: str,
        *,
        since: float = 0.0,
        skip: tuple[Path, ...] = (),
    ) -> None:
        """Search every file under ``root`` changed at or after ``since``."""
        for path in _files(root, since, skip):
            try:
                data = path.read_bytes()
            except OSError:
                continue  # gone meanwhile, or not ours to read
            self.places[category] += 1
            for form, kind in self._forms():
                if form.encode() in data:
                    self.hits.append(Hit(kind, str(path)))

    def report(self) -> dict[str, object]:
        """The facts for the ledger (no secret in them)."""
        return {
            "secrets": len(self.secrets),
            "places": dict(self.places),
            "found": len(self.hits),
            "kinds": sorted(set(self.secrets.values())),
        }


def _files(root: Path, since: float, skip: tuple[Path, ...]) -> Iterator[Path]:
    if not root.exists():
        return
    for path in root.rglob("*"):
        if any(path.is_relative_to(folder) for folder in skip):
            continue
        try:
            info = path.lstat()
        except OSError:
            continue
        if not path.is_file() or path.is_symlink():
            continue
        if info.st_mtime >= since and info.st_size <= MAX_FILE_BYTES:
            yield path


def started() -> float:
    """A moment a little before now: files changed after it count as written."""
    return time.time() - 1.0
