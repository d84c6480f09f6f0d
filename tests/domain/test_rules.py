"""Quotas, organization codes, contact fields, and the rules package's isolation."""

import subprocess
import sys

import pytest

from domain.contact import ContactProblem, check_display_name, check_email
from domain.organizations import OrganizationProblem, check_organization_code, check_organization_name
from domain.quotas import MAX_CERTIFICATES_PER_ORGANIZATION, MAX_GENERAL_USERS, MAX_USERS_PER_ORGANIZATION


def test_quotas_follow_seed_003_q4():
    assert MAX_GENERAL_USERS == 19
    assert MAX_USERS_PER_ORGANIZATION == 20
    assert MAX_CERTIFICATES_PER_ORGANIZATION == 20


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("1234", None),
        ("A1B2C3D4E5", None),
        ("", OrganizationProblem.CODE_REQUIRED),
        ("123", OrganizationProblem.CODE_FORMAT),
        ("12345678901", OrganizationProblem.CODE_FORMAT),
        ("abcd", OrganizationProblem.CODE_FORMAT),  # lower case
        ("１２３４", OrganizationProblem.CODE_FORMAT),
        ("12-34", OrganizationProblem.CODE_FORMAT),
    ],
)
def test_organization_code(code, problem):
    assert check_organization_code(code) is problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [("東京労働組合", None), ("   ", OrganizationProblem.NAME_REQUIRED),
     ("あ" * 101, OrganizationProblem.NAME_TOO_LONG)],
)
def test_organization_name(name, problem):
    assert check_organization_name(name) is problem


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("taro@example.jp", None),
        ("taro.yamada+rokin@mail.example.co.jp", None),
        ("", ContactProblem.EMAIL_REQUIRED),
        ("taro@", ContactProblem.EMAIL_FORMAT),
        ("taro@localhost", ContactProblem.EMAIL_FORMAT),
        ("taro example.jp", ContactProblem.EMAIL_FORMAT),
        ("たろう@example.jp", ContactProblem.EMAIL_FORMAT),
        ("a" * 250 + "@x.jp", ContactProblem.EMAIL_FORMAT),
    ],
)
def test_email(email, problem):
    assert check_email(email) is problem


@pytest.mark.parametrize(
    ("name", "problem"),
    [("山田 太郎", None), ("", ContactProblem.NAME_REQUIRED), ("名" * 51, ContactProblem.NAME_TOO_LONG)],
)
def test_display_name(name, problem):
    assert check_display_name(name) is problem


HEAVY = ("flask", "sqlalchemy", "cryptography", "temporalio", "argon2", "werkzeug", "alembic")


def test_rules_package_imports_nothing_heavy():
    """Import every domain module in a fresh interpreter and list what came with it."""
    code = (
        "import pkgutil, importlib, sys, domain\n"
        "for m in pkgutil.iter_modules(domain.__path__): importlib.import_module('domain.' + m.name)\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert [m for m in loaded if m.split(".")[0] in HEAVY] == []


def test_rules_package_reads_no_environment():
    import pathlib

    import domain

    sources = "".join(p.read_text() for p in pathlib.Path(domain.__path__[0]).glob("*.py"))
    for forbidden in ("os.environ", "getenv", "open(", "datetime.now(", "time.time("):
        assert forbidden not in sources, forbidden
