"""Retry policies and time limits shared by a workflow and the clients that wait for it.

A client must wait at least as long as the workflow can take to answer, or it gives up on an
answer that could still come (an issuance the user was told failed, then delivered): both read
the limits from here.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

# Database work in an activity: retried until the database is back (a restart, a failover).
DATABASE_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
DATABASE_STEP_TIMEOUT = timedelta(seconds=30)

# --- issuance: the user is watching ⑥ 発行中 ------------------------------------------------------
# A few quick retries, then give up well before the web does (``SIGNING_WAIT``). An attempt takes
# milliseconds; a worker that died mid-attempt is noticed after ISSUANCE_ATTEMPT_TIMEOUT.
ISSUANCE_ATTEMPT_TIMEOUT = timedelta(seconds=5)
SIGN_DEADLINE = timedelta(seconds=30)
QUICK_RETRY = RetryPolicy(initial_interval=timedelta(milliseconds=200), maximum_interval=timedelta(seconds=2))
# Recording a confirmed delivery is bounded too: the web waits for the answer, and a certificate
# whose delivery could not be recorded by then is voided (the web has shown "try again later").
RECORD_DELIVERY_DEADLINE = timedelta(seconds=30)

# Longer than the workflow can take to sign or give up, plus its last steps.
SIGNING_WAIT = SIGN_DEADLINE + timedelta(seconds=30)
# Whatever happens to a confirmation once sent, the workflow's answer is final after the delivery
# deadline + RECORD_DELIVERY_DEADLINE: it accepts one only before its deadline and records it within
# that, or voids. Giving up earlier could leave ACTIVE a certificate the user was told failed.
CONFIRMATION_SLACK = timedelta(seconds=15)


def confirmation_wait(delivery_deadline: timedelta) -> timedelta:
    """How long a client may wait for the answer to ``confirm_delivery``."""
    return delivery_deadline + RECORD_DELIVERY_DEADLINE + CONFIRMATION_SLACK
