"""The blueprints' gates name real endpoints: a misspelt entry in a gate's table would silently
fall back to the table's default (for the staff gate, "any staff member")."""

from __future__ import annotations

from web.employer import views as employer_views
from web.revocation_request import views as request_views
from web.staff import views as staff_views


def test_every_endpoint_a_gate_names_exists(app):
    named = {
        "employer": employer_views.ANY_EMPLOYER_USER,
        "staff": staff_views.OPEN | staff_views.BEFORE_FIRST_PASSWORD_CHANGE | staff_views.ROLES.keys()
        | {endpoint for _, _, endpoint in staff_views.MENU},
        "revocation_request": request_views.OPEN | request_views.LAPSE_EXPLAINED,
    }
    for blueprint, endpoints in named.items():
        assert endpoints, blueprint
        assert {endpoint for endpoint in endpoints if endpoint.partition(".")[0] != blueprint} == set(), blueprint
        assert set(endpoints) - set(app.view_functions) == set(), blueprint
