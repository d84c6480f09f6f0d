"""Bench users: registered master users (初期登録 done) whose password hash has the product's cost.

Every user's password is ``PASSWORD`` and its stored hash is ``PRODUCTION_HASH``, made here with the
product's own argon2id parameters (``store.passwords``) *before* this process switches to the cheap
profile to create users quickly. The hash string carries its parameters, so whoever verifies it —
the web at ④, at 発行 and at login — pays the production cost. ``check_production_hashes`` proves
it on the database the bench measures.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import argon2
from sqlalchemy import select

from store import audit, passwords
from store import organizations as org_store
from store import users as user_store
from store.db import make_engine, make_session_factory
from store.models import User

PASSWORD = "Bench2024pw"
EMAIL = "bench@example.jp"  # the issuance e-mail goes to the stack's SMTP sink
PRODUCTION_HASH = passwords.hash_password(PASSWORD)  # module import: before ``use_fast_hashing`` below
BATCH = 100


@dataclass(frozen=True)
class Person:
    user_id: str
    uuid: str
    organization_code: str
    password: str = PASSWORD


def production_parameters() -> argon2.Parameters:
    return argon2.extract_parameters(PRODUCTION_HASH)


def describe_hashing() -> str:
    parameters = production_parameters()
    return (f"argon2id t={parameters.time_cost}, m={parameters.memory_cost} KiB, p={parameters.parallelism}"
            " (production parameters)")


def make_masters(database_url: str, count: int) -> list[Person]:
    """``count`` new organizations, each with a registered master user (``PASSWORD``).

    Switches this process to the cheap hashing profile for good: hashes made here afterwards are
    cheap (verifying one always costs what its own parameters say). Give anything whose password
    check a bench times ``PRODUCTION_HASH``, as here.
    """
    passwords.use_fast_hashing()  # only for the throwaway initial hashes; the stored one is PRODUCTION_HASH
    engine = make_engine(database_url)
    people: list[Person] = []
    try:
        factory = make_session_factory(engine)
        while len(people) < count:
            with factory.begin() as session:
                for _ in range(min(BATCH, count - len(people))):
                    people.append(_registered_master(session))
    finally:
        engine.dispose()
    return people


def _registered_master(session) -> Person:  # noqa: ANN001
    created = org_store.create_organization(session=session, code=uuid.uuid4().hex[:8].upper(),
                                            name="ベンチ労働組合", email=EMAIL, actor=audit.Actor.cli())
    master = user_store.complete_initial_registration(session=session, user=created.master, new_password=PASSWORD,
                                                      email=EMAIL, actor=audit.Actor.cli())
    master.password_hash = PRODUCTION_HASH
    return Person(master.user_id, str(master.uuid), created.organization.code)


def check_production_hashes(database_url: str) -> int:
    """Every user's stored hash has the production parameters (else the figures would lie); how many."""
    expected = production_parameters()
    if expected.memory_cost < argon2.PasswordHasher().memory_cost:
        raise RuntimeError("the cheap test hashing profile was switched on before bench.people was imported")
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine)() as session:
            hashes = list(session.scalars(select(User.password_hash)))
    finally:
        engine.dispose()
    wrong = [value for value in hashes if argon2.extract_parameters(value) != expected]
    if wrong:
        raise RuntimeError(f"{len(wrong)} user(s) have a password hash without the production parameters")
    return len(hashes)
