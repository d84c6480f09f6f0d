"""Logging for every process of the product: one JSON object per line (production) or plain text.

    {"timestamp": "2025-04-01T01:02:03.456Z", "level": "INFO", "logger": "rokin.access",
     "message": "POST /login 302 41.2ms", "request_id": "…", "method": "POST", "path": "/login", …}

``configure_logging`` sets it up for ``rokin web``, ``rokin worker``, the other ``rokin`` commands
and ``python -m worker``; gunicorn gets the same ``logging_config`` from ``rokin.gunicorn_conf``.

Context comes with the record, never from the message:
- the web's request ID (``request_id_var``, set per request by ``web.observability``);
- Temporal's: ``workflow.logger`` and ``activity.logger`` put a ``temporal_workflow`` or
  ``temporal_activity`` dict on the record, flattened here into workflow_id, workflow_type,
  run_id, activity_type… (in JSON the SDK's copy at the end of the message is switched off);
- anything passed as ``extra=``.

No personal data (SPEC.md §5): messages are ours and carry identifiers only. Every handler has
``RedactPersonalData``: in the values put into a message and in exception messages it replaces
e-mail addresses, query strings and anything shaped like a user ID or password (6–12 letters
and digits with both) — UUIDs, serials and codes stay. JSON logs, besides, keep an exception's
type and stack but not its message; text logs (a developer's terminal, ``rokin dev``) keep the
whole traceback, redacted.

No forged lines: both formatters escape control characters (``escape_controls``: CR, LF, NUL and
the other C0/C1 controls, ESC of ANSI sequences, the Unicode line separators and the bidi
controls) in everything a record carries — its message with its arguments, its context fields, its
exception's message and traceback — so a value from a request (a path, a header, a form field)
can neither start a line of its own nor change how the line reads on a terminal. A text
traceback keeps its own line breaks; only what is inside each line is escaped.
"""

from __future__ import annotations

import json
import logging
import logging.config
import re
import traceback
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, Any

from core.config import Settings

request_id_var: ContextVar[str | None] = ContextVar("rokin_request_id", default=None)
REDACTED_TRACEBACK = "_rokin_redacted_traceback"  # set on a record by RedactPersonalData

# What a LogRecord has without any ``extra=``; everything else on it is context.
_STANDARD = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Temporal's logger details, renamed where two sources name one thing differently.
_TEMPORAL_KEYS = {"workflow_id": "workflow_id", "workflow_type": "workflow_type", "run_id": "run_id",
                  "workflow_run_id": "run_id", "activity_id": "activity_id", "activity_type": "activity_type",
                  "attempt": "attempt", "task_queue": "task_queue", "update_id": "update_id",
                  "update_name": "update_name"}
# gunicorn's access atoms (``--access-logfile``): request line parts only; no address, no query.
_GUNICORN_ATOMS = {"m": "method", "U": "path", "s": "status", "M": "duration_ms"}
GUNICORN_ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)sms"


# What may not reach a log line raw: C0 controls (CR, LF, NUL, ESC…), DEL and C1 controls, the
# Unicode line and paragraph separators, and the bidi controls (marks, embeddings, overrides, isolates).
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """``text`` with each control character written as its Python escape (``\\r``, ``\\x00``, ``\\u202e``)."""
    return _CONTROLS.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    return f"\\x{ord(char):02x}" if ord(char) <= 0xff else f"\\u{ord(char):04x}"


def _escape_value(value: Any) -> Any:
    """A context field's value, escaped; numbers, booleans, None and the shape of mappings and lists
    stay what they are (JSON types)."""
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    if isinstance(value, Mapping):
        return {escape_controls(str(key)): _escape_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escape_value(item) for item in value]
    return escape_controls(str(value))


def _escape_lines(text: str) -> str:
    """A multi-line text (a traceback): its own line breaks kept, everything inside each line escaped."""
    return "\n".join(escape_controls(line) for line in text.split("\n"))


def context_of(record: logging.LogRecord) -> dict[str, Any]:
    """The record's context as flat JSON-ready fields, every value escaped (``escape_controls``)."""
    return {escape_controls(str(key)): _escape_value(value) for key, value in _raw_context_of(record).items()}


def _raw_context_of(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if (request_id := request_id_var.get()) is not None:
        fields["request_id"] = request_id
    for name, value in vars(record).items():
        if name in _STANDARD or name.startswith("_"):  # the SDK's private markers too
            continue
        if name in ("temporal_workflow", "temporal_activity") and isinstance(value, Mapping):
            fields.update({_TEMPORAL_KEYS[key]: item for key, item in value.items() if key in _TEMPORAL_KEYS})
        elif name == "temporal_log":  # SDK core's own log entry: its target says where it came from
            fields["core_target"] = getattr(value, "target", None)
        elif name in ("workflow_info", "activity_info"):
            continue  # the SDK's full info objects (off by default): inputs are not for logs
        else:
            fields[name] = value
    if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
        fields.update({field: _number(record.args.get(atom)) for atom, field in _GUNICORN_ATOMS.items()})
    return fields


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, str) and value.isdigit() else value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": escape_controls(record.getMessage()),
        }
        entry.update({key: value for key, value in context_of(record).items() if key not in entry})
        if record.exc_info and record.exc_info[0] is not None:
            kind, _, trace = record.exc_info
            entry["exc_type"] = escape_controls(kind.__name__)
            entry["stack"] = _escape_lines("".join(traceback.format_tb(trace)))  # where, not the message
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """One line (message, then the context), and below it the traceback and the stack, if any.

        The traceback is made here from the exception, redacted and escaped, whatever text another
        handler may have left in ``record.exc_text``."""
        record.message = escape_controls(record.getMessage())
        record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        context = " ".join(f"{key}={value}" for key, value in context_of(record).items() if value is not None)
        if context:
            line = f"{line} [{context}]"
        if record.exc_info and record.exc_info[1] is not None:  # the redacting filter's, else escaped only
            line += "\n" + (getattr(record, REDACTED_TRACEBACK, None) or safe_traceback(record.exc_info[1]))
        elif record.exc_text:
            line += "\n" + _escape_lines(record.exc_text)
        if record.stack_info:
            line += "\n" + _escape_lines(self.formatStack(record.stack_info))
        return line


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
QUERY_STRING = re.compile(r"\?[^\s\"'<>]*")
# domain.credentials' shape of user IDs and passwords: 6–12 ASCII letters and digits, both present.
# A hyphen or word character on either side means part of something longer (a UUID, a serial).
CREDENTIAL_SHAPED = re.compile(r"(?<![\w-])(?=[A-Za-z0-9]*[A-Za-z])(?=[A-Za-z0-9]*[0-9])[A-Za-z0-9]{6,12}(?![\w-])")


def redact(text: str) -> str:
    """``text`` without e-mail addresses, query strings or user-ID/password-shaped words."""
    text = EMAIL.sub("[email]", text)
    text = QUERY_STRING.sub("?[query]", text)
    return CREDENTIAL_SHAPED.sub("[redacted]", text)


class RedactPersonalData(logging.Filter):
    """Redacts what a record carries from outside the code: the values of its message's arguments
    and its exception's message (the traceback's frames are code, and stay readable)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            if isinstance(record.args, Mapping):
                record.args = {key: _redacted(value) for key, value in record.args.items()}
            else:
                record.args = tuple(_redacted(value) for value in args)
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = safe_traceback(record.exc_info[1], clean=lambda text: escape_controls(redact(text)))
            setattr(record, REDACTED_TRACEBACK, record.exc_text)
        return True


def safe_traceback(exception: BaseException, clean: Callable[[str], str] = escape_controls) -> str:
    """The traceback as ``format_exception`` writes it, each exception's message passed through
    ``clean`` (escaped; the filter redacts too), and every line's content escaped: a newline in a
    message (or anywhere else) cannot start a line."""
    lines = _cleaned_lines(traceback.TracebackException.from_exception(exception), clean)
    return "\n".join(escape_controls(line) for chunk in lines for line in chunk.removesuffix("\n").split("\n"))


def _redacted(value: Any) -> Any:
    return value if isinstance(value, (int, float, bool)) or value is None else redact(str(value))


def _cleaned_lines(exception: traceback.TracebackException, clean: Callable[[str], str]) -> list[str]:
    """The traceback as ``format_exception`` writes it, each exception's own message ``clean``-ed."""
    lines: list[str] = []
    for cause in (exception.__cause__, exception.__context__):
        if cause is not None and not lines:
            lines += _cleaned_lines(cause, clean)
            lines.append("\nThe above exception was the direct cause of the following exception:\n\n"
                         if cause is exception.__cause__ else
                         "\nDuring handling of the above exception, another exception occurred:\n\n")
    lines.append("Traceback (most recent call last):\n")
    lines += exception.stack.format()
    # The message's own line breaks are escaped here, where they are still told from the traceback's.
    lines += [clean(line.removesuffix("\n")) + "\n" for line in exception.format_exception_only()]
    return lines


class DropWerkzeugAccessLines(logging.Filter):
    """``rokin web``'s server logs each request with the client's address and query string;
    ``web.observability`` writes the access line instead. Its other lines stay."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name == "werkzeug" and isinstance(record.msg, str) and record.msg.endswith('"%s" %s %s'))


def logging_config(settings: Settings, stream: str = "ext://sys.stderr") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of a process (gunicorn's ``logconfig_dict`` too)."""
    formatter = {"()": JsonFormatter} if settings.log_format == "json" else {"()": TextFormatter}
    handler = {"class": "logging.StreamHandler", "formatter": "rokin", "filters": ["werkzeug_access", "redact"],
               "stream": stream}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"rokin": formatter},
        "filters": {"werkzeug_access": {"()": DropWerkzeugAccessLines}, "redact": {"()": RedactPersonalData}},
        "handlers": {"rokin": handler},
        "root": {"level": settings.log_level, "handlers": ["rokin"]},
        "loggers": {
            # gunicorn's own loggers get our handler instead of theirs, and keep their levels.
            "gunicorn.error": {"level": settings.log_level, "handlers": ["rokin"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["rokin"], "propagate": False},
            "werkzeug": {"level": "INFO", "handlers": [], "propagate": True},
        },
    }


def configure_logging(settings: Settings, stream: IO[str] | None = None) -> None:
    """Apply ``logging_config``; ``stream`` replaces stderr (tests)."""
    config = logging_config(settings)
    if stream is not None:
        config["handlers"]["rokin"]["stream"] = stream
    logging.config.dictConfig(config)
    _temporal_context_on_records_only(settings.log_format == "json")


def _temporal_context_on_records_only(json_format: bool) -> None:
    """The SDK appends its context dict to every message too; JSON has it as fields already."""
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = not json_format
    activity.logger.activity_info_on_message = not json_format

