"""Every table of the product on one ``MetaData``: the models live in several modules (``models``,
``revocation_models``, ``sessions``, ``login_throttle``, ``branches``) and a table is on ``Base.metadata`` only once
its module is imported. Alembic's autogenerate and the schema test read this."""

from __future__ import annotations

from . import branches, login_throttle, revocation_models, sessions  # noqa: F401  (their tables join Base.metadata)
from .models import Base

metadata = Base.metadata
