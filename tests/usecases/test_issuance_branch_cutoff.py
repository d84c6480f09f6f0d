"""④ of 電子証明書発行 and the お取引店 (issue 16): from ``domain.banks.BRANCH_REQUIRED_FROM`` (JST) an
organization without a branch is refused with ``IssuanceRefusal.BRANCH_REQUIRED``; the day before it is
not, and an organization with its branch never is. The lockout arbiter is incidental here (the fake port);
tests/web/certificates proves ④ on the real server."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from core.config import Settings
from domain.banks import BRANCH_REQUIRED_FROM
from domain.certificates import IssuanceRefusal
from domain.validity import TOKYO
from store import branches as branch_store
from store import users as user_store
from store.login_throttle import ThrottleLimits
from tests.fakes.temporal_port import FakeTemporal
from tests.fixtures.users import DEFAULT_PASSWORD, give_branch, registered_master
from usecases import issuance
from usecases.authentication import AttemptOrigin, UserSubject, subject_of_user
from web import messages

ORIGIN = AttemptOrigin("192.0.2.20", ThrottleLimits.from_settings(Settings.from_env({})))
CUT_OFF = datetime.combine(BRANCH_REQUIRED_FROM, datetime.min.time(), tzinfo=TOKYO)  # 00:00 JST
LAST_MOMENT_BEFORE = CUT_OFF - timedelta(seconds=1)  # 23:59:59 JST the day before


@pytest.fixture
def temporal(session_factory) -> FakeTemporal:  # noqa: ANN001
    return FakeTemporal(session_factory)


def authenticate(session_factory, temporal: FakeTemporal, user_id: str, now: datetime) -> issuance.IssuanceEntry:  # noqa: ANN001
    with session_factory() as session:
        return issuance.authenticate_for_issuance(session, temporal, user_id=user_id, password=DEFAULT_PASSWORD,
                                                  origin=ORIGIN, now=now)



def test_without_a_branch_issuance_is_allowed_until_the_day_before_and_refused_from_that_day(
        database_url, session_factory, temporal):  # noqa: ANN001
    master = registered_master(database_url, branch=None)
    assert authenticate(session_factory, temporal, master.user_id, LAST_MOMENT_BEFORE).user.user_id == master.user_id
    with pytest.raises(issuance.IssuanceEntryRefused) as refused:
        authenticate(session_factory, temporal, master.user_id, CUT_OFF)
    assert refused.value.refusal is IssuanceRefusal.BRANCH_REQUIRED
    assert refused.value.branch is None
    text = messages.render(refused.value.refusal)
    assert "お取引店" in text and "労働金庫へお問い合わせ" in text


def test_with_a_branch_issuance_goes_on_after_the_cut_off(database_url, session_factory, temporal):  # noqa: ANN001
    master = registered_master(database_url, branch=None)
    give_branch(session_factory, master.user_id)
    entry = authenticate(session_factory, temporal, master.user_id, CUT_OFF + timedelta(days=400))
    assert entry.user.user_id == master.user_id


def test_a_refusal_after_the_password_names_the_branch_when_it_asks_to_contact_the_rokin(
        database_url, session_factory, temporal):  # noqa: ANN001
    """ACCOUNT_BLOCKED at ④ (the read model says 閉塞 though the arbiter let the password through): the
    message the user reads names their お取引店 and its phone; without a branch it reads as before."""
    master = registered_master(database_url)
    give_branch(session_factory, master.user_id, "2978", "030")
    with session_factory() as session:
        branch = branch_store.branch_of_organization(session=session, organization_code=master.organization_code)
    assert branch is not None
    text = messages.render_for_authenticated(IssuanceRefusal.ACCOUNT_BLOCKED, branch=branch)
    assert text == (messages.render(IssuanceRefusal.ACCOUNT_BLOCKED)
                    + " お取引店：近畿労働金庫 京都支店（電話 075-211-0030）")
    assert messages.render_for_authenticated(IssuanceRefusal.ACCOUNT_BLOCKED, branch=None) == \
        messages.render(IssuanceRefusal.ACCOUNT_BLOCKED)
    assert messages.render_for_authenticated(IssuanceRefusal.ORGANIZATION_QUOTA, branch=branch) == \
        messages.render(IssuanceRefusal.ORGANIZATION_QUOTA)  # says nothing about the 労金: no branch added


def test_the_lockout_subject_carries_the_organizations_bank_for_the_start(database_url, session_factory):  # noqa: ANN001
    master = registered_master(database_url, branch=None)
    with session_factory() as session:
        assert subject_of_user(user_store.get_by_user_id(session=session, user_id=master.user_id)).bank_code == ""
    give_branch(session_factory, master.user_id, "2951", "001")
    with session_factory() as session:
        subject = subject_of_user(user_store.get_by_user_id(session=session, user_id=master.user_id))
    assert isinstance(subject, UserSubject) and subject.bank_code == "2951"
