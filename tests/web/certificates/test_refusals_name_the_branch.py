"""A refusal after the password was right that sends the user to their 労金 names the お取引店 and its phone
(issue 16); an organization without a branch reads as before."""

from __future__ import annotations

import time

import pytest

from domain.certificates import IssuanceRefusal
from domain.lockout import LockoutState
from store import branches as branch_store
from tests.fixtures.users import give_branch, without_branch
from web import messages

from .arrange import certificates_of, mirror_lockout
from .issuing import authenticate, issue_form, press_issue, stopped_message

BLOCKED = LockoutState(failures=6, lock_count=3, blocked=True)


@pytest.fixture
def factory(app):  # noqa: ANN001, ANN201
    return app.extensions["rokin"].session_factory



@pytest.mark.parametrize("branch", [("2954", "001"), None], ids=["with-branch", "without"])
def test_blocked_between_authentication_and_issue_names_the_branch(client, registered, factory, branch):  # noqa: ANN001
    if branch is not None:
        give_branch(factory, registered.user_id, *branch)
    else:
        without_branch(factory, registered.organization_code)
    form = issue_form(authenticate(client, registered.user_id, registered.password))
    time.sleep(0.05)  # the arbiter's own mirror of this login is older than ours
    mirror_lockout(factory, registered.user_id, BLOCKED)
    response = press_issue(client, form)
    assert response.status_code == 409
    generic = messages.render(IssuanceRefusal.ACCOUNT_BLOCKED)
    if branch is None:
        assert stopped_message(response) == generic
    else:
        with factory() as session:
            shown = branch_store.get_branch(session=session, bank_code=branch[0], code=branch[1])
            assert shown is not None
            phone = shown.phone
        assert stopped_message(response) == f"{generic} お取引店：東北労働金庫 {shown.name}（電話 {phone}）"
    assert certificates_of(factory, registered.user_id) == []
