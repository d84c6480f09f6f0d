"""Workflows: one module per lifecycle. ``worker.WORKFLOWS`` lists what the worker registers (not
imported here: the sandbox would load every workflow module into every run)."""
