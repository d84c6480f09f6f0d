"""The codec server the Temporal Web UI calls to read encrypted payloads (``views.py``)."""
