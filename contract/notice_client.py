"""Starting an e-mail notice (``NoticeWorkflow``) from outside a workflow: one ID scheme, one summary."""

from __future__ import annotations

import uuid

from temporalio.client import Client

from domain.notices import NoticeRequest, notice_summary

from .names import WorkflowType, notice_workflow_id


async def start_notice(client: Client, notice: NoticeRequest, *, task_queue: str) -> str:
    """Start one notice; returns its workflow ID. Each call is a new e-mail (a fresh event UUID)."""
    workflow_id = notice_workflow_id(notice.kind.value, notice.user_uuid, str(uuid.uuid4()))
    await client.start_workflow(
        WorkflowType.NOTICE, notice, id=workflow_id, task_queue=task_queue, static_summary=notice_summary(notice.kind))
    return workflow_id
