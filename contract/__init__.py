"""The Temporal contract: what the product's workflows are called and how they are reached.

``names``: workflow types, the names of their updates, signals and queries, workflow IDs.
``search_attributes``: the typed search-attribute keys. The ``*_client`` modules: one small client
per workflow (start options, retries, how a refusal comes back) for the use-cases, the CLI and the
activities. Nothing else spells a workflow name or an attribute key.

It imports only temporalio, the stdlib and ``domain`` — never ``workflows`` or ``activities`` — so
workflows (inside their sandbox), activities and the use-cases can all import it without a cycle.
This package's ``__init__`` imports nothing, so a workflow importing ``contract.names`` does not pull
in the clients.
"""
