"""Business refusals raised by service functions; the web and the CLI turn ``code`` into a message."""

from __future__ import annotations

import enum


class Refusal(enum.Enum):
    ORGANIZATION_CODE_TAKEN = "organization_code_taken"
    USER_ID_TAKEN = "user_id_taken"
    STAFF_LOGIN_TAKEN = "staff_login_taken"
    GENERAL_USER_QUOTA = "general_user_quota"
    INVALID_CREDENTIALS = "invalid_credentials"  # unknown ID or wrong password: never say which
    ALREADY_REGISTERED = "already_registered"
    WRONG_REGISTRATION_KIND = "wrong_registration_kind"  # master ID on the general page or vice versa
    NOT_REGISTERED = "not_registered"  # initial password still pending
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"


class ServiceError(Exception):
    def __init__(self, refusal: Refusal, **details: object) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.details = details


class CredentialError(ServiceError):
    """A rule of ``domain.credentials`` or ``domain.contact`` refused a value; ``field`` names it."""

    def __init__(self, field: str, problem: enum.Enum) -> None:
        super().__init__(Refusal.INVALID_CREDENTIALS, field=field)
        self.field = field
        self.problem = problem
