"""The CRL's regeneration as its workflow receives it (``workflows.crl_refresh``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrlRefresh:
    reason: str = "schedule"  # "schedule" or "on-demand": shown in the history only
