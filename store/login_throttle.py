"""Failed password attempts counted per client address and per organization, across IDs (issue 12,
point 6; migration 0007).

The per-ID lockout stops guessing one ID; this stops spraying: one guess each against many IDs.
One row per (scope, key): the first failure opens a window, every failure inside it adds one, and
once ``failures`` reaches the limit the key is throttled until the window ends. The count lives in
the database, so it holds across gunicorn workers and restarts; it is added to in one
``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL alike), so concurrent failures are never
lost. Nothing here resets a count on success: a successful login from one address must not wipe the
failures of another, nor an attacker's own by logging in once with an account of theirs.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, case, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.config import Settings

from .models import Base

# Rows whose window ended this long ago are deleted as failures come in (they would be reset anyway).
STALE_AFTER = timedelta(days=1)
IPV6_PREFIX = 64  # one IPv6 customer gets a whole /64: counting single addresses would not slow anyone


class Scope(enum.StrEnum):
    ADDRESS = "address"  # the client's IP address (an IPv6 client's /64)
    ORGANIZATION = "organization"  # the organization code of an existing ID


@dataclass(frozen=True)
class Limit:
    failures: int  # refused once this many failures fall in one window
    window: timedelta


@dataclass(frozen=True)
class ThrottleLimits:
    address: Limit
    organization: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> ThrottleLimits:
        """ROKIN_THROTTLE_* (``core.config``)."""
        return cls(address=Limit(settings.throttle_address_failures,
                                 timedelta(seconds=settings.throttle_address_window_seconds)),
                   organization=Limit(settings.throttle_organization_failures,
                                      timedelta(seconds=settings.throttle_organization_window_seconds)))

    def of(self, scope: Scope) -> Limit:
        return self.address if scope is Scope.ADDRESS else self.organization


Key = tuple[Scope, str]


class LoginThrottle(Base):
    __tablename__ = "login_throttle"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    window_ends_at: Mapped[datetime] = mapped_column(index=True)


def address_key(client_address: str) -> Key:
    """The address as counted: an IPv4-mapped IPv6 address as IPv4, other IPv6 addresses by /64."""
    try:
        address = ipaddress.ip_address(client_address)
    except ValueError:
        return Scope.ADDRESS, client_address[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return Scope.ADDRESS, str(address.ipv4_mapped)
        return Scope.ADDRESS, str(ipaddress.ip_network(f"{address}/{IPV6_PREFIX}", strict=False))
    return Scope.ADDRESS, str(address)


def organization_key(organization_code: str) -> Key:
    return Scope.ORGANIZATION, organization_code


def throttled_until(*, session: Session, keys: Sequence[Key], limits: ThrottleLimits,
                    now: datetime) -> datetime | None:
    """When the last of ``keys`` that reached its limit stops being throttled; None if none has."""
    if not keys:
        return None
    rows = session.execute(select(LoginThrottle.scope, LoginThrottle.failures, LoginThrottle.window_ends_at)
                           .where(tuple_(LoginThrottle.scope, LoginThrottle.key).in_(
                               [(scope.value, key) for scope, key in keys]),
                                  LoginThrottle.window_ends_at > now))
    ends = [ends_at for scope, failures, ends_at in rows if failures >= limits.of(Scope(scope)).failures]
    return max(ends, default=None)


def count_failure(*, session: Session, keys: Sequence[Key], limits: ThrottleLimits, now: datetime) -> None:
    """Add one failure to each key, atomically; a key whose window has ended starts a new one."""
    if not keys:
        return
    session.execute(delete(LoginThrottle).where(LoginThrottle.window_ends_at < now - STALE_AFTER))
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for scope, key in sorted(keys):  # one order for every transaction: no deadlock between two
        statement = insert(LoginThrottle).values(scope=scope.value, key=key, failures=1,
                                                 window_ends_at=now + limits.of(scope).window)
        ended = LoginThrottle.window_ends_at <= now
        session.execute(statement.on_conflict_do_update(
            index_elements=[LoginThrottle.scope, LoginThrottle.key],
            set_={"failures": case((ended, 1), else_=LoginThrottle.failures + 1),
                  "window_ends_at": case((ended, statement.excluded.window_ends_at),
                                         else_=LoginThrottle.window_ends_at)}))
