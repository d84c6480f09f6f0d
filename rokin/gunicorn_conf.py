"""gunicorn settings for the web and the PKI listener: ``gunicorn -c python:rokin.gunicorn_conf …``.

- Logs: gunicorn's own lines in our format (``core.logs``, ROKIN_LOG_FORMAT/ROKIN_LOG_LEVEL). The
  web writes its access lines itself (``web.observability``), so its command sets no
  ``--access-logfile``; where one is set (the PKI listener), each line holds the method, the path
  without the query string, the status and the time — no client address.
- Metrics: every worker process counts on its own. With ``PROMETHEUS_MULTIPROC_DIR`` set (in the
  environment, before gunicorn starts) they write to files there and ``/metrics`` adds them up
  (``web.metrics``); the directory is emptied at start and a dead worker's live values dropped.

gunicorn reads every global here as a setting: helpers are underscored.
"""

from __future__ import annotations

import os as _os
import shutil as _shutil
from pathlib import Path as _Path

from gunicorn.glogging import Logger as _GunicornLogger

from core.config import Settings as _Settings
from core.logs import GUNICORN_ACCESS_FORMAT as _ACCESS_FORMAT
from core.logs import logging_config as _logging_config


class _AccessLinesOnlyWhenAsked(_GunicornLogger):
    """gunicorn writes access lines whenever a logging dict is configured; ours only with
    ``--access-logfile`` (the web writes its own)."""

    def access(self, resp, req, environ, request_time) -> None:  # noqa: ANN001
        if self.cfg.accesslog is not None:
            super().access(resp, req, environ, request_time)


logger_class = _AccessLinesOnlyWhenAsked
logconfig_dict = _logging_config(_Settings.from_env())
access_log_format = _ACCESS_FORMAT


def on_starting(_server) -> None:  # noqa: ANN001
    """Empty the metrics directory: counts of an earlier run must not add up with ours."""
    directory = _os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        _shutil.rmtree(directory, ignore_errors=True)
        _Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(_server, worker) -> None:  # noqa: ANN001
    if _os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
