"""Everything one emulator remembers, and the controls tests reach it by.

:class:`EmulatorState` is shared by the server thread (request handlers) and
the test thread (controls), so every read and write happens under its one
re-entrant lock. Handlers hold it only for in-memory work, never across an
``await``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from a7desktop.emulator.app_passwords import AppPasswordStore, RateLimiter
from a7desktop.emulator.clock import Clock
from a7desktop.emulator.config import DEMO_EMAIL, DEMO_PASSWORD, EmulatorConfig
from a7desktop.emulator.faults import ConnectionRegistry, FaultRegistry
from a7desktop.emulator.fingerprint import HEADER_NAMES, Fingerprint
from a7desktop.emulator.provider_keys import GoogleKeys
from a7desktop.emulator.tokens import AccessTokenSigner

_ORG_NAMESPACE = uuid.UUID("5f0c3a52-8d1e-4c84-9a53-7b0e6a1c2d40")


class RefreshAttempt(NamedTuple):
    """One refresh request: which token (a non-secret id) and what happened.

    ``token_id`` is ``None`` when no refresh cookie came with the request.
    ``outcome`` is ``rotated`` or ``grace`` for a success, else ``missing``,
    ``unknown``, ``reused``, ``expired``, ``revoked``,
    ``fingerprint_mismatch`` or ``device_limit``.
    """

    token_id: str | None
    outcome: str
    at: float


class SecurityEvent(NamedTuple):
    """One of the guide's security events (``user_login``, ``user_logout``…)."""

    name: str
    email: str | None
    at: float
    detail: Mapping[str, str]


class RequestRecord(NamedTuple):
    """A request as the server saw it: path without query, fingerprint headers."""

    method: str
    path: str
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    role: str


@dataclass
class TrustedDevice:
    id: str
    fingerprint: Fingerprint
    added_at: float


@dataclass(repr=False)
class User:
    """An account. The password is kept only as a salted digest."""

    id: str
    email: str
    organization: Organization
    password_salt: bytes = b""
    password_digest: bytes | None = None
    devices: list[TrustedDevice] = field(default_factory=list)

    def set_password(self, password: str | None) -> None:
        if password is None:
            self.password_digest = None
            return
        self.password_salt = secrets.token_bytes(16)
        self.password_digest = _password_digest(self.password_salt, password)

    def check_password(self, password: str) -> bool:
        if self.password_digest is None:
            return False
        candidate = _password_digest(self.password_salt, password)
        return hmac.compare_digest(candidate, self.password_digest)

    def __repr__(self) -> str:
        return f"User(email={self.email!r}, devices={len(self.devices)})"


def _password_digest(salt: bytes, password: str) -> bytes:
    return hashlib.sha256(salt + password.encode()).digest()


@dataclass(repr=False)
class RefreshFamily:
    """The chain of refresh tokens that descends from one sign-in.

    Only the digest of each token is indexed. The current token itself is
    also kept, because an answer inside the reuse grace window hands it out
    again.
    """

    id: str
    email: str
    auth_type: str
    device_id: str
    fingerprint: Fingerprint
    created_at: float
    expires_at: float
    current_digest: str
    current_token: str
    rotated: dict[str, float] = field(default_factory=dict)
    revoked_reason: str | None = None

    def __repr__(self) -> str:
        return f"RefreshFamily(id={self.id!r}, email={self.email!r})"


@dataclass
class AccessRecord:
    """What the server knows about one issued access token (by its ``jti``)."""

    email: str
    family_id: str | None
    app_password_id: str | None
    revoked: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


class EmulatorState:
    """The emulator's memory plus the test controls.

    Attributes:
        config: the :class:`EmulatorConfig` it was built with.
        clock: the settable server clock (``now``, ``advance``, ``set_offset``).
        faults: the fault registry (``add``, ``clear``).
        lock: the re-entrant lock that guards everything below.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = Clock()
        self.faults = FaultRegistry()
        self.connections = ConnectionRegistry()
        self.signer = AccessTokenSigner()
        self.google = GoogleKeys()
        self.app_passwords = AppPasswordStore(config)
        self.app_auth_limiter = RateLimiter(
            config.app_login_limit, config.app_login_window
        )
        # Set by EmulatorServer once it is bound; otherwise derived per request.
        self.google_issuer: str | None = None
        self.users: dict[str, User] = {}
        self.families: dict[str, RefreshFamily] = {}
        self.refresh_index: dict[str, str] = {}
        self.access: dict[str, AccessRecord] = {}
        self._auto_approve = config.auto_approve
        self._refresh_log: list[RefreshAttempt] = []
        self._events: list[SecurityEvent] = []
        self._requests: list[RequestRecord] = []

        if config.seed_demo:
            self.add_user(DEMO_EMAIL, DEMO_PASSWORD)
        for email, password in config.users:
            self.add_user(email, password)

    # -- test controls -------------------------------------------------------

    def add_user(
        self,
        email: str,
        password: str | None,
        organization_name: str = "Public",
        role: str = "consumer",
    ) -> User:
        """Create an account, or reset the password and organization of one.

        ``password=None`` makes an account that can sign in only with Google.

        Raises:
            ValueError: the email has no ``@`` or the password is empty.
        """
        email = normalize_email(email)
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            raise ValueError(f"not an email address: {email!r}")
        if password is not None and not password:
            raise ValueError("the password must not be empty")
        organization = Organization(
            id=str(uuid.uuid5(_ORG_NAMESPACE, organization_name)),
            name=organization_name,
            role=role,
        )
        with self.lock:
            user = self.users.get(email)
            if user is None:
                user = User(
                    id=str(uuid.uuid4()), email=email, organization=organization
                )
                self.users[email] = user
            user.organization = organization
            user.set_password(password)
            return user

    def revoke_sessions(self, email: str) -> None:
        """Revoke every refresh family and every access token of a user."""
        email = normalize_email(email)
        with self.lock:
            for family in self.families.values():
                if family.email == email and family.revoked_reason is None:
                    family.revoked_reason = "revoked by the server"
            for record in self.access.values():
                if record.email == email:
                    record.revoked = True

    def forget_devices(self, email: str) -> None:
        """Drop every trusted device of a user; their refreshes then fail."""
        with self.lock:
            user = self.users.get(normalize_email(email))
            if user is not None:
                user.devices.clear()

    def set_auto_approve(self, enabled: bool) -> None:
        """Make the Google consent page approve without a click (or not)."""
        with self.lock:
            self._auto_approve = enabled

    @property
    def auto_approve(self) -> bool:
        with self.lock:
            return self._auto_approve

    @property
    def refresh_log(self) -> list[RefreshAttempt]:
        """A copy of the refresh attempts, oldest first."""
        with self.lock:
            return list(self._refresh_log)

    @property
    def events(self) -> list[SecurityEvent]:
        """A copy of the security events, oldest first."""
        with self.lock:
            return list(self._events)

    @property
    def requests(self) -> list[RequestRecord]:
        """A copy of the requests seen, oldest first."""
        with self.lock:
            return list(self._requests)

    # -- used by the handlers ------------------------------------------------

    def record_event(self, name: str, email: str | None, **detail: str) -> None:
        with self.lock:
            self._events.append(SecurityEvent(name, email, self.clock.now(), detail))

    def record_refresh(self, token_id: str | None, outcome: str) -> None:
        with self.lock:
            self._refresh_log.append(
                RefreshAttempt(token_id, outcome, self.clock.now())
            )

    def record_request(
        self, method: str, path: str, headers: Mapping[str, str]
    ) -> None:
        selected = {name: headers[name] for name in HEADER_NAMES if name in headers}
        with self.lock:
            self._requests.append(RequestRecord(method, path, selected))
