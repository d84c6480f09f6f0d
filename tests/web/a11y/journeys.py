"""Every page of every journey, as tables: page → how to reach it → the template it is rendered from.

A step's ``reach`` leaves the page of one actor (``walk.actor(...)``) on the page, starting from where
the previous step left it; the steps of a journey run in order. Pages are reached by their ids and
URLs, never by their (translated) text, so one table serves Japanese and English.
"""

from __future__ import annotations

from .employer_journey import EMPLOYER, arrange_employer
from .error_journey import ERRORS
from .staff_journey import STAFF, arrange_staff

JOURNEYS = {"employer": EMPLOYER, "staff": STAFF, "errors": ERRORS}
ARRANGEMENTS = {"employer": arrange_employer, "staff": arrange_staff}  # facts made through the store first
