"""E-mail notices the use-cases start after their action is committed. A notice never blocks or
undoes the action it reports: without Temporal the action stands, and the log says what was not sent."""

from __future__ import annotations

import logging

from domain.notices import NoticeRequest

from .ports import TemporalPort, TemporalUnavailable

log = logging.getLogger(__name__)


def notify(temporal: TemporalPort, notice: NoticeRequest) -> None:
    try:
        temporal.send_notice(notice)
    except TemporalUnavailable as error:
        log.warning("notice %s for %s not started: %s", notice.kind.value, notice.user_uuid, error)
