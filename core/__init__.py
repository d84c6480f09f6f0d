"""The bottom layer every process shares: configuration from the environment (``core.config``)
and logging (``core.logs``). It imports nothing of the product but ``domain``, so ``store``,
``activities``, ``web`` and ``rokin`` can all depend on it."""
