"""The product's rules: numbers, policies and the plain data passed between layers.

Standard library only — no Flask, SQLAlchemy, cryptography or temporalio, no I/O and no
environment. Time-based rules take ``now`` as a parameter. Everything else imports from here,
so each rule is written once.
"""
