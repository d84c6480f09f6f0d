"""Data tables the rules read (loaded with ``importlib.resources``; shipped as package data)."""
