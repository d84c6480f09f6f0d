"""Activities: classes that receive their dependencies; ``worker.py`` registers their bound methods."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.config import Settings
from pki.ca import CaLoader

from .certificates import CertificateActivities
from .lockout import LockoutActivities
from .mail import MailActivities, SmtpSettings
from .reconciliation import ReconciliationActivities
from .revocation import RevocationActivities


def build_activities(settings: Settings, session_factory: sessionmaker[Session]) -> list[Callable[..., Any]]:
    """Every activity of the product, bound to its dependencies."""
    smtp = SmtpSettings(settings.smtp_host, settings.smtp_port, settings.mail_from)
    mail = MailActivities(session_factory, smtp)
    lockout = LockoutActivities(session_factory)
    certificates = CertificateActivities(
        session_factory, CaLoader(settings.ca_certificate_path, settings.ca_key_path, settings.ca_key_passphrase),
        crl_dir=settings.pki_dir, crl_url=settings.crl_url, ocsp_url=settings.ocsp_url)
    revocation = RevocationActivities(session_factory, smtp, approver_mail=settings.approver_mail)
    reconciliation = ReconciliationActivities(session_factory)
    return [mail.send_notice,
            lockout.mirror_lockout_state, lockout.record_lockout_release, lockout.find_master_user,
            certificates.sign_certificate, certificates.record_delivery, certificates.start_lifecycle,
            certificates.void_issuance, certificates.settle_delivery,
            certificates.reach_milestone, certificates.record_ending, certificates.publish_crl,
            revocation.record_transition, revocation.remind_approvers, revocation.tell_open_request,
            reconciliation.reconcile_page]
