"""The audit log of every state change. Actor and target are identifiers, never names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from .models import AuditEntry


@dataclass(frozen=True)
class Actor:
    kind: str  # user / staff / cli / system
    id: str
    client_address: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls("cli", "cli")


def record(
    *, session: Session, actor: Actor, action: str, target_kind: str, target_id: object, detail: str = ""
) -> AuditEntry:
    entry = AuditEntry(
        actor_kind=actor.kind,
        actor_id=actor.id,
        action=action,
        target_kind=target_kind,
        target_id=str(target_id),
        client_address=actor.client_address,
        detail=detail,
    )
    session.add(entry)
    return entry
