"""The data package: typed SQLAlchemy models, the session factory and service functions.

Service functions take ``session`` as a keyword argument and never commit: the caller owns
the transaction.
"""
