"""The lockout workflow's side effects on the database: read model, audit of releases, lookups.

Each activity is idempotent (a retry writes nothing new) and takes identifiers only; the
e-mails go out through ``workflows.notice`` children, whose mail activity looks addresses up.
Blocking SQLAlchemy work runs in ``asyncio.to_thread``, as in ``activities.mail``.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from domain.lockout import MasterLookup, MirrorRequest
from domain.lockout_release import ReleaseAudit
from store import lockout as lockout_store


class LockoutActivities:
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    @activity.defn
    async def mirror_lockout_state(self, request: MirrorRequest) -> bool:
        """Write the state to the read model; False if the account is gone or a newer state is there."""
        return await asyncio.to_thread(self._mirror, request)

    @activity.defn
    async def record_lockout_release(self, request: ReleaseAudit) -> None:
        await asyncio.to_thread(self._record_release, request)

    @activity.defn
    async def find_master_user(self, request: MasterLookup) -> str:
        """The UUID of the organization's master user, or '' if it has none."""
        return await asyncio.to_thread(self._find_master, request)

    def _mirror(self, request: MirrorRequest) -> bool:
        with self.session_factory.begin() as session:
            return lockout_store.mirror_state(session=session, subject_kind=request.subject_kind,
                                              user_uuid=request.user_uuid, state=request.state,
                                              as_of=request.as_of)

    def _record_release(self, request: ReleaseAudit) -> None:
        with self.session_factory.begin() as session:
            lockout_store.record_release(session=session, subject_kind=request.subject_kind,
                                         user_uuid=request.user_uuid, kind=request.kind,
                                         actor_kind=request.actor_kind, actor_uuid=request.actor_uuid,
                                         release_id=request.release_id)

    def _find_master(self, request: MasterLookup) -> str:
        with self.session_factory() as session:
            return lockout_store.master_uuid_of(session=session,
                                                organization_code=request.organization_code) or ""
