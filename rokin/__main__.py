"""``python -m rokin``: the same as the ``rokin`` command (``rokin dev`` starts its children this way)."""

from rokin.cli import main

main()
