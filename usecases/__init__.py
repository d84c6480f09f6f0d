"""What each actor does, once, for every caller: the Flask views, the CLI, ``rokin simulate``,
``rokin admin sample-data`` and the benchmarks all call these functions and nothing else.

Each function takes a SQLAlchemy ``Session`` (it owns the transaction: it commits what its action
decided and ends read transactions before slow steps such as an argon2 check or a wait on
Temporal) and a ``TemporalPort`` (``usecases.ports``): the few workflow calls it needs. It returns
a result or raises a typed refusal; ``TemporalUnavailable`` means Temporal did not answer and
nothing can be known to have happened. No web framework is imported here; "now" is a parameter.
"""
