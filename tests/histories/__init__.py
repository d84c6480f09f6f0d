"""Recorded workflow histories (``<WorkflowType>/<case>.json``) and their recorder (``record.py``)."""
