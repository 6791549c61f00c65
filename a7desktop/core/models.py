"""The values the service layer hands around: sessions, organizations, app passwords.

Objects holding a secret hide it in their ``repr``, so a stray log line or
traceback never shows a token. Times are epoch seconds on the local wall clock.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from a7desktop.core.errors import InvalidInput, VaultError
from a7desktop.core.fields import Fields
from a7desktop.core.fingerprint import DeviceFingerprint

# The guide's names, as in the access token's ``auth_type`` claim.
AUTH_TYPES = frozenset({"password", "google_oauth", "app_password"})
SESSION_FORMAT = 1
_HIDDEN = "'[hidden]'"

# The guide documents ``app_a7_`` plus 32 hexadecimal characters, but its own
# example uses other letters too; accepting letters and digits rejects every
# typo of length or prefix without refusing a real token.
_APP_PASSWORD = re.compile(r"app_a7_[0-9A-Za-z]{32}")


def is_app_password(text: str) -> bool:
    """True when ``text`` is exactly an app password: ``app_a7_`` and 32 characters."""
    return _APP_PASSWORD.fullmatch(text) is not None


# Marks a web page or chat client wraps around copied text, invisible on screen:
# zero-width spaces and joiners, direction marks and embeddings, the BOM.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\ufeff"


def normalize_app_password(text: str) -> str:
    """Trim a pasted app password and check its format before it is sent anywhere.

    Raises:
        InvalidInput: the text is not ``app_a7_`` followed by 32 letters or digits.
    """
    token = text.strip().strip(_INVISIBLE).strip()
    if not is_app_password(token):
        if not token.startswith("app_a7_"):
            raise InvalidInput(
                "that is not an app password: it should start with app_a7_"
            )
        if len(token) == len("app_a7_") + 32:
            raise InvalidInput(
                "that app password contains characters an app password cannot have"
            )
        raise InvalidInput(
            f"that app password has the wrong length ({len(token)} characters, "
            "expected 39); was it copied completely?"
        )
    return token


@dataclass(frozen=True)
class Organization:
    """An organization the account belongs to, with the account's role in it."""

    id: str
    name: str
    role: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "role": self.role}


def _corrupt(message: str) -> VaultError:
    return VaultError(f"the stored session is unreadable ({message}); sign in again")


@dataclass(frozen=True, repr=False)
class StoredSession:
    """Everything the vault keeps for one profile's session, as one item.

    ``issued_at`` is when the sign-in or refresh request was *sent*, by the
    local wall clock, and ``expires_at`` is ``issued_at`` plus the server's
    ``expiresIn``. The token's own ``exp`` claim is never consulted: the local
    clock may be far off the server's, but a duration measured locally is
    right. ``refresh_token`` is ``None`` when the session cannot be refreshed
    (the server set no refresh cookie, or its answer to a refresh was lost);
    such a session ends when the access token expires. ``fingerprint`` is the
    device fingerprint the session was signed in with; refreshes send it again.
    ``app_password`` is kept only for a session signed in with one that got no
    refresh cookie: it is exchanged again (``app-login``) to renew the session.
    """

    server: str
    profile: str
    email: str
    auth_type: str
    access_token: str
    refresh_token: str | None
    issued_at: float
    expires_at: float
    organization: Organization | None = None
    organizations: tuple[Organization, ...] = ()
    app_password_name: str | None = None
    fingerprint: DeviceFingerprint | None = field(default=None, compare=True)
    app_password: str | None = None

    def __repr__(self) -> str:
        refresh = "None" if self.refresh_token is None else _HIDDEN
        return (
            f"StoredSession(server={self.server!r}, profile={self.profile!r}, "
            f"email={self.email!r}, auth_type={self.auth_type!r}, "
            f"access_token={_HIDDEN}, refresh_token={refresh}, "
            f"issued_at={self.issued_at!r}, expires_at={self.expires_at!r})"
        )

    def expires_in(self, now: float) -> float:
        """Seconds the access token is still good for at ``now`` (negative: expired)."""
        return self.expires_at - now

    @property
    def lifetime(self) -> float:
        """How long the access token was issued for, in seconds."""
        return self.expires_at - self.issued_at

    @property
    def refreshable(self) -> bool:
        """Whether the session can be renewed before its access token expires."""
        return self.refresh_token is not None or self.app_password is not None

    def rotated(
        self,
        access_token: str,
        refresh_token: str | None,
        issued_at: float,
        lifetime: float,
    ) -> StoredSession:
        """This session after a refresh: new tokens, the same account."""
        return replace(
            self,
            access_token=access_token,
            refresh_token=refresh_token,
            issued_at=issued_at,
            expires_at=issued_at + lifetime,
        )

    def without_refresh_token(self) -> StoredSession:
        """This session once its refresh token must never be presented again."""
        return replace(self, refresh_token=None)

    def to_json(self) -> str:
        """The session as compact JSON text, for the vault only."""
        data: dict[str, object] = {
            "format": SESSION_FORMAT,
            "server": self.server,
            "profile": self.profile,
            "email": self.email,
            "auth_type": self.auth_type,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "issued_at": self.issued_at,
            "expires_at": self.expires_at,
            "organization": None
            if self.organization is None
            else self.organization.to_json(),
            "organizations": [org.to_json() for org in self.organizations],
            "app_password_name": self.app_password_name,
            "fingerprint": None
            if self.fingerprint is None
            else self.fingerprint.to_json(),
            "app_password": self.app_password,
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> StoredSession:
        """Parse :meth:`to_json` output.

        Raises:
            VaultError: the text is not a stored session of a known format.
        """
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise _corrupt("not JSON") from None
        read = Fields(data, "stored session", _corrupt)
        if read.data.get("format") != SESSION_FORMAT:
            raise _corrupt("unknown format")
        auth_type = read.require_str("auth_type")
        if auth_type not in AUTH_TYPES:
            raise read.fail("auth_type", "password, google_oauth or app_password")

        organization = read.optional_object("organization")
        organizations = read.optional_list("organizations") or []
        fingerprint = read.data.get("fingerprint")
        return cls(
            server=read.require_str("server"),
            profile=read.require_str("profile"),
            email=read.require_str("email", nonempty=False),
            auth_type=auth_type,
            access_token=read.require_str("access_token"),
            refresh_token=read.optional_str("refresh_token", nonempty=True),
            issued_at=read.require_number("issued_at"),
            expires_at=read.require_number("expires_at"),
            organization=None if organization is None else _organization(organization),
            organizations=tuple(
                _organization(Fields(item, "stored organization", _corrupt))
                for item in organizations
            ),
            app_password_name=read.optional_str("app_password_name"),
            fingerprint=None
            if fingerprint is None
            else DeviceFingerprint.from_json(
                fingerprint, "stored fingerprint", _corrupt
            ),
            app_password=read.optional_str("app_password", nonempty=True),
        )


def _organization(read: Fields) -> Organization:
    return Organization(
        id=read.require_str("id"),
        name=read.require_str("name", nonempty=False),
        role=read.optional_str("role"),
    )


@dataclass(frozen=True)
class AppPasswordInfo:
    """An app password as the server lists it: never the token itself.

    Dates are the server's ISO 8601 strings, ``None`` when it sent none.
    """

    id: str
    name: str
    created_at: str | None
    expires_at: str | None
    is_active: bool
    last_used_at: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "is_active": self.is_active,
            "last_used_at": self.last_used_at,
        }


@dataclass(frozen=True, repr=False)
class CreatedAppPassword:
    """A newly created app password with its token, which is shown only once.

    ``kept`` tells whether the token was stored in the vault; when keeping
    was asked for and failed, ``keep_error`` says why (the token is still
    here, so it can be shown and copied rather than lost).
    """

    info: AppPasswordInfo
    token: str
    kept: bool = False
    keep_error: str | None = None

    def __repr__(self) -> str:
        return (
            f"CreatedAppPassword(info={self.info!r}, token={_HIDDEN}, "
            f"kept={self.kept!r}, keep_error={self.keep_error!r})"
        )
