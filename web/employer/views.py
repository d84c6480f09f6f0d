"""Top screen after login and the master user's user list (helpers fill this in)."""

from flask import Blueprint, render_template

from ..principals import employer_required

bp = Blueprint("employer", __name__)


@bp.get("/")
@employer_required
def top():  # noqa: ANN201
    return render_template("employer/top.html")
