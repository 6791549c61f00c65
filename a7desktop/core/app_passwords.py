"""App passwords: list, create, revoke at the server; keep tokens in the vault.

The server shows a new app password's token once. :meth:`AppPasswords.create`
keeps it in the vault unless told not to, so ``a7desktop app-passwords get``
can hand it out later; a keep that fails never loses the token, which is
still returned to be shown.

Kept tokens are vault items of kind ``app_password`` named
``<profile>/<id>``, holding ``{"id", "name", "token"}`` as JSON, so a token
can be found by the app password's id or name without asking the server.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from a7desktop.core.errors import (
    BadCredentials,
    InvalidInput,
    NotFound,
    TokenRejected,
    UsageError,
    VaultError,
)
from a7desktop.core.log import get_logger, register_secret
from a7desktop.core.models import (
    AppPasswordInfo,
    CreatedAppPassword,
    normalize_app_password,
)

if TYPE_CHECKING:
    from a7desktop.core.engine import SessionEngine, VaultLike

KIND = "app_password"
MAX_NAME = 100

_log = get_logger("auth")


@dataclasses.dataclass(frozen=True, repr=False)
class KeptAppPassword:
    """A token kept in the vault, with the id and name it was created under."""

    id: str
    name: str
    token: str

    def __repr__(self) -> str:
        return f"KeptAppPassword(id={self.id!r}, name={self.name!r}, token='[hidden]')"


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            f"an app password needs a name of 1 to {MAX_NAME} characters"
        )
    return name


class _Named(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)


def resolve(items: Iterable[N], name_or_id: str, what: str = "app password") -> N:
    """The item whose id, or else whose name, is ``name_or_id``.

    Raises:
        NotFound: none matches. UsageError: several share that name.
    """
    wanted = name_or_id.strip()
    items = list(items)
    for item in items:
        if item.id == wanted:
            return item
    named = [item for item in items if item.name == wanted]
    if len(named) > 1:
        ids = ", ".join(item.id for item in named)
        raise UsageError(f"several {what}s are named {wanted!r}; use the id ({ids})")
    if not named:
        raise NotFound(f"no {what} has the id or name {wanted!r}")
    return named[0]


class AppPasswords:
    """The account's app passwords, through ``engine`` (signed in) and ``vault``."""

    def __init__(self, engine: SessionEngine, vault: VaultLike | None = None) -> None:
        self._engine = engine
        self._vault = vault if vault is not None else engine.vault
        self._prefix = f"{engine.profile.name}/"

    # -- the server ---------------------------------------------------------

    async def list(self) -> builtins.list[AppPasswordInfo]:
        """The account's app passwords as the server lists them (no tokens)."""
        api = self._engine.api
        return await self._engine.authorized(api.list_app_passwords)

    async def create(self, name: str, keep: bool = True) -> CreatedAppPassword:
        """Create an app password; with ``keep``, store its token in the vault.

        Never retried after a network failure (it could create two). If
        keeping fails, the result says so in ``kept``/``keep_error`` and still
        carries the token.
        """
        name = _check_name(name)
        api = self._engine.api
        created = await self._engine.authorized(
            lambda token: api.create_app_password(token, name)
        )
        profile = self._engine.profile.name
        self._engine.audit_event("app_password_created", "success", id=created.info.id)
        if not keep:
            return created
        try:
            await self._store(
                KeptAppPassword(created.info.id, created.info.name, created.token)
            )
        except VaultError as exc:
            _log.warning("the new app password was not kept: %s", exc)
            return dataclasses.replace(created, kept=False, keep_error=str(exc))
        _log.info("kept app password %s for profile %s", created.info.id, profile)
        return dataclasses.replace(created, kept=True)

    async def revoke(self, name_or_id: str) -> AppPasswordInfo:
        """Revoke an app password at the server and forget its kept token."""
        info = resolve(await self.list(), name_or_id)
        api = self._engine.api
        await self._engine.authorized(
            lambda token: api.delete_app_password(token, info.id)
        )
        self._engine.audit_event("app_password_revoked", "success", id=info.id)
        try:
            await self._vault.delete_secret(KIND, self._prefix + info.id)
        except VaultError as exc:
            _log.warning("revoked, but its kept token could not be removed: %s", exc)
        return info

    async def test(self, token: str) -> bool:
        """Whether the server accepts ``token`` as a Bearer credential right now.

        Raises InvalidInput for text that is not an app password (nothing sent).
        """
        app_password = normalize_app_password(token)
        register_secret(app_password)
        try:
            await self._engine.api.agents(app_password)
        except (TokenRejected, BadCredentials):
            return False
        return True

    # -- the vault ----------------------------------------------------------

    async def _store(self, kept: KeptAppPassword) -> None:
        value = json.dumps({"id": kept.id, "name": kept.name, "token": kept.token})
        await self._vault.set_secret(KIND, self._prefix + kept.id, value)

    async def kept(self) -> builtins.list[KeptAppPassword]:
        """Every token kept for this profile."""
        result = []
        for name in await self._vault.list_secret_names(KIND):
            if not name.startswith(self._prefix):
                continue
            value = await self._vault.get_secret(KIND, name)
            item = _parse_kept(value)
            if item is not None:
                result.append(item)
        return result

    async def kept_ids(self) -> set[str]:
        """The ids of the app passwords whose tokens are kept."""
        return {item.id for item in await self.kept()}

    async def _find_kept(self, name_or_id: str) -> KeptAppPassword:
        return resolve(await self.kept(), name_or_id, "kept app password")

    async def get_kept(self, name_or_id: str) -> str:
        """The kept token of an app password, by id or name. Raises NotFound."""
        return (await self._find_kept(name_or_id)).token

    async def keep(self, name_or_id: str, token: str) -> AppPasswordInfo:
        """Keep ``token``, obtained elsewhere, for the app password ``name_or_id``."""
        app_password = normalize_app_password(token)
        info = resolve(await self.list(), name_or_id)
        await self._store(KeptAppPassword(info.id, info.name, app_password))
        self._engine.audit_event("app_password_kept", "success", id=info.id)
        return info

    async def forget(self, name_or_id: str) -> bool:
        """Remove a kept token (the app password stays valid); False if none was."""
        try:
            item = await self._find_kept(name_or_id)
        except NotFound:
            return False
        await self._vault.delete_secret(KIND, self._prefix + item.id)
        self._engine.audit_event("app_password_forgotten", "success", id=item.id)
        return True


def _parse_kept(value: str | None) -> KeptAppPassword | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
        kept = KeptAppPassword(str(data["id"]), str(data["name"]), str(data["token"]))
    except (ValueError, RecursionError, KeyError, TypeError):
        _log.warning("ignoring an unreadable kept app password")
        return None
    register_secret(kept.token)
    return kept
