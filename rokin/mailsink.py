"""A local SMTP sink for development and tests: every message lands in a Maildir.

``rokin dev`` runs it (``run_sink``) in place of a real mail server, the dev mailbox page
lists what arrived (``core.maildir.read_messages``), and tests start one on a free port (``start_sink``).
The envelope is kept in two headers written in front of the message as received, so the
stored message is what the client sent (with LF line ends) plus who it was addressed to.
"""

from __future__ import annotations

import argparse
import logging
import mailbox
import signal
import threading
from pathlib import Path

from aiosmtpd.controller import Controller

from core.maildir import ENVELOPE_FROM, ENVELOPE_TO

SERVER_NAME = "rokin-mailsink"  # greeting name; avoids a slow getfqdn() lookup at start


class MaildirHandler:
    """aiosmtpd handler that stores each message in a Maildir, one file per message."""

    def __init__(self, maildir: Path) -> None:
        for folder in ("tmp", "new", "cur"):  # mailbox.Maildir(create=True) fails on an existing empty dir
            (maildir / folder).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.mailbox = mailbox.Maildir(maildir, create=False)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802  aiosmtpd's hook
        envelope_headers = (
            f"{ENVELOPE_FROM}: {envelope.mail_from}\r\n"
            f"{ENVELOPE_TO}: {', '.join(envelope.rcpt_tos)}\r\n"
        ).encode()
        content = envelope_headers + envelope.original_content
        with self._lock:
            self.mailbox.add(content.replace(b"\r\n", b"\n"))  # files on disk use Unix line ends
        return "250 Message accepted for delivery"


def start_sink(host: str, port: int, maildir: Path) -> Controller:
    """Start a sink on its own thread and return once it accepts connections; ``.stop()`` ends it."""
    controller = Controller(MaildirHandler(Path(maildir)), hostname=host, port=port,
                            server_hostname=SERVER_NAME, enable_SMTPUTF8=True)
    controller.start()
    return controller


def run_sink(host: str, port: int, maildir: Path) -> None:
    """Run a sink until SIGTERM or SIGINT (call from the main thread)."""
    # aiosmtpd logs six INFO lines per connection (every port probe of `rokin dev`, every e-mail): the
    # messages are on the dev mailbox page; its warnings and errors still show.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = start_sink(host, port, maildir)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        controller.stop()


def main(argv: list[str] | None = None) -> None:
    """``python -m rokin.mailsink --port 1025 --maildir var/mailbox``"""
    parser = argparse.ArgumentParser(description="Local SMTP sink writing to a Maildir")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--maildir", type=Path, required=True)
    arguments = parser.parse_args(argv)
    run_sink(arguments.host, arguments.port, arguments.maildir)


if __name__ == "__main__":
    main()
