"""Process-level glue: configuration, the ``rokin`` CLI and the development supervisor."""
