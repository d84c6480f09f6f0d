"""Where the recorder runs one case: its own time-skipping server, the product's worker, a fresh
SQLite database, a copy of a development CA and an SMTP sink — and only fake people.

The people are made through the real store functions with addresses under ``example.invalid``
and fixed fake passwords; ``tests/test_replay.py`` checks that none of it reaches a history.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.config import Settings
from pki.devca import DevPki, ensure_dev_pki
from rokin.mailsink import start_sink
from store.migrate import upgrade
from store.passwords import use_fast_hashing
from tests.fixtures.mail import SINK_HOST, SmtpSink, free_port
from tests.fixtures.payload_keys import TEST_CONVERTER, TEST_PAYLOAD_KEYS
from tests.fixtures.temporal import TEST_SERVER, product_worker, register_search_attributes
from tests.fixtures.users import MadeUser, registered_master
from tests.workflows.lockout_support import registered_general

MASTER_EMAIL = "user@example.invalid"
GENERAL_EMAIL = "user2@example.invalid"
MASTER_PASSWORD = "Fake2024pw"  # what the recorder's master user sets at 初期登録
FAKE_EMAILS = (MASTER_EMAIL, GENERAL_EMAIL)


@dataclass
class Stage:
    env: WorkflowEnvironment
    settings: Settings
    sink: SmtpSink
    master: MadeUser

    @property
    def client(self) -> Client:
        return self.env.client

    @property
    def url(self) -> str:
        return self.settings.database_url

    def general_user(self, user_id: str = "ippan01") -> MadeUser:
        return registered_general(self.url, self.master, user_id=user_id, email=GENERAL_EMAIL)


def shared_pki(scratch: Path) -> DevPki:
    """One development CA for every case of a run (making one takes a while)."""
    return ensure_dev_pki(scratch / "pki")


@asynccontextmanager
async def stage(case: str, pki: DevPki) -> AsyncIterator[Stage]:
    """Everything one case needs; the clock moves only when the case says so."""
    use_fast_hashing()
    with tempfile.TemporaryDirectory(prefix=f"record-{case}-") as scratch:
        data_dir = Path(scratch)
        shutil.copytree(pki.directory, data_dir / "pki")
        sink = SmtpSink(SINK_HOST, free_port(), data_dir / "maildir")
        settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'rokin.db'}",
                           task_queue=f"record-{case}", smtp_host=sink.host, smtp_port=sink.port,
                           payload_keys=TEST_PAYLOAD_KEYS)
        upgrade(settings.database_url)
        master = registered_master(settings.database_url, email=MASTER_EMAIL, password=MASTER_PASSWORD)
        sink.controller = start_sink(sink.host, sink.port, sink.maildir)
        # Histories recorded from now on are encrypted with the suite's test key (issue 12).
        env = await WorkflowEnvironment.start_time_skipping(test_server_existing_path=str(TEST_SERVER),
                                                            data_converter=TEST_CONVERTER)
        try:
            await register_search_attributes(env.client)
            with env.auto_time_skipping_disabled():
                async with product_worker(env.client, settings):
                    yield Stage(env, settings, sink, master)
        finally:
            await env.shutdown()
            sink.stop()
