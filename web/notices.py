"""Starting e-mail notice workflows from the web. A notice never blocks or undoes the action it reports."""

from __future__ import annotations

import logging
import uuid

from flask import current_app

from domain.names import notice_workflow_id
from domain.notices import NoticeKind, NoticeRequest

log = logging.getLogger(__name__)

NOTICE_WORKFLOW = "NoticeWorkflow"


def registration_complete(user_uuid: uuid.UUID) -> None:
    _start(NoticeRequest(NoticeKind.REGISTRATION_COMPLETE, str(user_uuid)))


def _start(request: NoticeRequest) -> None:
    bridge = current_app.extensions["rokin"].temporal
    workflow_id = notice_workflow_id(request.kind.value, request.user_uuid, str(uuid.uuid4()))
    try:
        bridge.call(lambda client: client.start_workflow(
            NOTICE_WORKFLOW, request, id=workflow_id, task_queue=bridge.task_queue,
            static_summary=f"E-mail notice {request.kind.value}",
        ))
    except Exception as error:  # noqa: BLE001  the action is already committed; say so and go on
        log.warning("notice %s not started: %s", workflow_id, type(error).__name__)
