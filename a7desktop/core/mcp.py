"""The MCP service API key: kept in the vault, sent as ``X-API-Key``.

The key belongs to a profile (a vault item of kind ``mcp_key`` named after
the profile). :meth:`McpKey.test` calls the MCP service's server list with it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from a7desktop.core.errors import InvalidInput, NotFound
from a7desktop.core.log import register_secret

if TYPE_CHECKING:
    from a7desktop.core.api import ApiClient
    from a7desktop.core.engine import SessionEngine, VaultLike

KIND = "mcp_key"
MAX_KEY = 4096
_PRINTABLE = re.compile(r"[\x21-\x7e]+")  # visible ASCII: what goes in a header


class McpKey:
    """One profile's MCP API key.

    Build it from an engine (``McpKey(engine)``: the engine's vault, API client,
    profile and ``profile.mcp_url``) or from the parts
    (``McpKey(vault, mcp_url, api, profile="default")``).
    """

    def __init__(
        self,
        source: SessionEngine | VaultLike,
        mcp_url: str | None = None,
        api: ApiClient | None = None,
        *,
        profile: str | None = None,
    ) -> None:
        from a7desktop.core.engine import SessionEngine

        self._engine = source if isinstance(source, SessionEngine) else None
        if isinstance(source, SessionEngine):
            self._vault: VaultLike = source.vault
            self._api = api or source.api
            self._url = mcp_url or source.profile.mcp_url
            self._profile = profile or source.profile.name
        else:
            if mcp_url is None or api is None:
                raise TypeError("McpKey(vault, mcp_url, api) needs all three")
            self._vault = source
            self._api = api
            self._url = mcp_url
            self._profile = profile or "default"

    @property
    def mcp_url(self) -> str:
        return self._url

    async def set(self, key: str) -> None:
        """Keep ``key`` (trimmed); it must be visible ASCII without spaces.

        Raises InvalidInput (nothing stored) or a VaultError.
        """
        key = key.strip()
        if not key:
            raise InvalidInput("the MCP API key is empty")
        if len(key) > MAX_KEY or not _PRINTABLE.fullmatch(key):
            raise InvalidInput(
                "that does not look like an MCP API key (it must be one line of "
                f"visible characters, at most {MAX_KEY})"
            )
        register_secret(key)
        await self._vault.set_secret(KIND, self._profile, key)
        if self._engine is not None:
            self._engine.audit_event("mcp_key_set", "success")

    async def get(self) -> str:
        """The kept key. Raises NotFound when none is kept."""
        key = await self._vault.get_secret(KIND, self._profile)
        if key is None:
            raise NotFound(
                f"no MCP API key is kept for profile {self._profile}; "
                "set one with: a7desktop mcp-key set"
            )
        return key

    async def test(self) -> int:
        """Call the MCP service with the kept key; the number of servers it lists.

        Raises:
            NotFound: no key kept. BadCredentials: the service refused the key.
            ServerUnavailable, ProtocolError: the service could not be asked.
        """
        servers = await self._api.mcp_servers(self._url, await self.get())
        return len(servers)

    async def delete(self) -> bool:
        """Forget the kept key; False if none was kept."""
        if await self._vault.get_secret(KIND, self._profile) is None:
            return False
        await self._vault.delete_secret(KIND, self._profile)
        if self._engine is not None:
            self._engine.audit_event("mcp_key_deleted", "success")
        return True
