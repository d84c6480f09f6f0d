"""argon2id password hashes (RFC 9106). Only hashes are stored, never a password."""

from __future__ import annotations

import collections
import hashlib
import hmac
import os
import threading

import argon2
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's low-memory profile (t=3, m=64 MiB, p=4). Tests use a
# cheap profile through ``use_fast_hashing``; the hash string records its own parameters, so
# verification works whichever profile made it.
_hasher = argon2.PasswordHasher()



class FairSlots:
    """At most ``slots`` holders at once, served strictly in arrival order.

    Not ``threading.Semaphore``: a thread that releases it can take it again before the one it
    woke gets to run, and under a burst some waiters starved for 20 s (bench/issuance.py)."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: collections.deque[object] = collections.deque()
        self._condition = threading.Condition()

    def __enter__(self) -> None:
        ticket = object()
        with self._condition:
            self._waiting.append(ticket)
            while self._waiting[0] is not ticket or self._free == 0:
                self._condition.wait()
            self._waiting.popleft()
            self._free -= 1
            if self._free and self._waiting:
                self._condition.notify_all()  # the next in line may take the other free slot

    def __exit__(self, *_exc: object) -> None:
        with self._condition:
            self._free += 1
            self._condition.notify_all()


# Each hash takes 64 MiB and a core for ~0.2 s. Unbounded, a burst of 100 logins took 2.5 GB
# and starved the thread that talks to Temporal (bench/burst.py); past one hash per core,
# more at once only makes each slower. Extra requests wait their turn here instead.
_HASHING_SLOTS = FairSlots(max(1, os.cpu_count() or 1))


def use_fast_hashing() -> None:
    global _hasher  # noqa: PLW0603  one hasher per process, swapped only by tests and the simulator
    _hasher = argon2.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def hash_password(password: str) -> str:
    with _HASHING_SLOTS:
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        with _HASHING_SLOTS:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when a login ID does not exist keeps the response time the same,
# so the timing does not tell which IDs exist.
_DUMMY_HASH = argon2.PasswordHasher().hash("dummy-password-0")


def burn_verification_time(password: str) -> None:
    verify_password(_DUMMY_HASH, password)


def hash_fingerprint(password_hash: str | None, key: bytes) -> str:
    """A keyed fingerprint (HMAC-SHA256 under ``key``) of a stored hash string, for a short-lived token
    to prove the password is still the one checked when it was made — at no argon2 cost. Not the hash:
    a token's holder learns nothing to guess the password against. "" for no hash (matches nothing)."""
    if not password_hash:
        return ""
    return hmac.new(key, b"rokin password-hash fingerprint\0" + password_hash.encode(), hashlib.sha256).hexdigest()
