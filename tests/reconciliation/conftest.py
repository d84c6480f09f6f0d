"""Reconciliation fixtures: a worker's settings with the run's development CA, and certificates
signed by the real signing activity at any instant (so one can be a day or a year old)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from datetime import datetime

import pytest

from activities.certificates import CertificateActivities
from core.config import Settings
from domain.certificates import SigningRequest
from pki.ca import CaLoader
from pki.csr import new_key_and_csr
from store.db import make_engine, make_session_factory

CSR = new_key_and_csr("abc123").csr_pem


@pytest.fixture
def reconciliation_settings(worker_settings: Settings, session_dev_pki) -> Settings:  # noqa: ANN001
    shutil.copytree(session_dev_pki.directory, worker_settings.pki_dir)
    return worker_settings


@pytest.fixture
def signing(reconciliation_settings: Settings) -> Iterator[CertificateActivities]:
    settings = reconciliation_settings
    engine = make_engine(settings.database_url)
    yield CertificateActivities(make_session_factory(engine),
                                CaLoader(settings.ca_certificate_path, settings.ca_key_path),
                                crl_dir=settings.pki_dir, crl_url=settings.crl_url)
    engine.dispose()


async def sign(signing: CertificateActivities, user_uuid: str, at: datetime, *, pending: bool = False) -> str:
    """A certificate issued to the user at ``at`` (no lifecycle started; with ``pending``, awaiting a
    delivery nobody will confirm: no issuance workflow exists); its serial."""
    outcome = await signing.sign_certificate(SigningRequest(str(uuid.uuid4()), user_uuid, CSR, at,
                                                            awaiting_delivery=pending))
    assert outcome.certificate is not None, outcome.refusal
    return outcome.certificate.serial
