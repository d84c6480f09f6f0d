"""The ``rokin`` command: the development stack, the processes it runs, and administration.

    rokin dev [--temporal-port 7233] [--ui-port 8233] [--web-port 8443] [--smtp-port 1025] [--pki-port 8080]
    rokin worker
    rokin web [--host 127.0.0.1] [--port 8443]
    rokin pki-http [--host 127.0.0.1] [--port 8080]
    rokin migrate
    rokin admin create-org --code C --name N --email E [--bank CODE --branch CODE] [--json]
    rokin admin create-staff --login L --role administrator|receiver|approver (--bank CODE | --federation) [--json]
    rokin admin load-branches FILE [--json]
    rokin admin assign-branch --org CODE --bank CODE --branch CODE
    rokin admin sample-data [--json]
    rokin simulate [--start-date YYYY-MM-DD] [--json]

The data directory is ROKIN_DATA_DIR (default ./var); see ``core.config`` for the rest.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from core.config import ConfigError, Settings
from core.logs import configure_logging
from domain.roles import StaffRole

from .devstack import DEFAULT_PORTS

SERVERS = frozenset({"web", "worker", "pki-http", "mailsink"})  # what ``rokin dev`` runs as children


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rokin", description="Rokin e-certificate back office")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    dev = commands.add_parser("dev", help="run the whole development stack on this machine (Ctrl-C stops it)")
    dev.add_argument("--temporal-port", type=int, default=DEFAULT_PORTS.temporal, help="Temporal gRPC port")
    dev.add_argument("--ui-port", type=int, default=DEFAULT_PORTS.ui, help="Temporal Web UI port")
    dev.add_argument("--web-port", type=int, default=DEFAULT_PORTS.web, help="HTTPS port of the web")
    dev.add_argument("--smtp-port", type=int, default=DEFAULT_PORTS.smtp, help="port of the SMTP sink")
    dev.add_argument("--pki-port", type=int, default=DEFAULT_PORTS.pki, help="plain-HTTP port of the CRL")

    commands.add_parser("worker", help="run the Temporal worker")

    web = commands.add_parser("web", help="serve the web over HTTPS (development server)")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=DEFAULT_PORTS.web)

    pki_http = commands.add_parser("pki-http", help="serve the CRL over plain HTTP (nothing else)")
    pki_http.add_argument("--host", default="127.0.0.1")
    pki_http.add_argument("--port", type=int, default=DEFAULT_PORTS.pki)

    commands.add_parser("migrate", help="bring the database to the newest schema")

    admin = commands.add_parser("admin", help="register organizations and staff")
    admin_commands = admin.add_subparsers(dest="admin_command", metavar="ADMIN_COMMAND", required=True)
    org = admin_commands.add_parser("create-org", help="register an organization and its master user")
    org.add_argument("--code", required=True, help="organization code (団体コード)")
    org.add_argument("--name", required=True, help="organization name (団体名)")
    org.add_argument("--email", required=True, help="the master user's e-mail address")
    org.add_argument("--bank", help="its 労金's 4-digit code (with --branch; or assign-branch later)")
    org.add_argument("--branch", help="its お取引店's 3-digit code, from the loaded branch list")
    org.add_argument("--json", action="store_true", help="print the result as JSON")
    staff = admin_commands.add_parser("create-staff", help="create a Rokin staff account")
    staff.add_argument("--login", required=True)
    staff.add_argument("--role", required=True, choices=[role.value for role in StaffRole])
    staff.add_argument("--bank", help="the 労金 the member works for (its 4-digit code, domain/banks.py)")
    staff.add_argument("--federation", action="store_true", help="a member of the 労働金庫連合会: sees every 労金")
    staff.add_argument("--json", action="store_true", help="print the result as JSON")
    load = admin_commands.add_parser("load-branches", help="load the 労金 branch list (CSV; the whole file or nothing)")
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--json", action="store_true", help="print the counts as JSON")
    assign = admin_commands.add_parser("assign-branch", help="give an organization its 労金 and branch (お取引店)")
    assign.add_argument("--org", required=True, help="organization code (団体コード)")
    assign.add_argument("--bank", required=True, help="the 労金's 4-digit code")
    assign.add_argument("--branch", required=True, help="the branch's 3-digit code")
    sample = admin_commands.add_parser(
        "sample-data", help="fill the running development stack with sample organizations, certificates, "
                            "locks and revocation requests (TEMPORAL_ADDRESS names its Temporal)")
    sample.add_argument("--json", action="store_true", help="print what was made as JSON")

    simulate = commands.add_parser(
        "simulate", help="run one organization's year on a time-skipping Temporal server and print the timeline")
    simulate.add_argument("--start-date", metavar="YYYY-MM-DD", help="day 1 (default: tomorrow in Japan)")
    simulate.add_argument("--json", action="store_true", help="print the timeline as JSON")

    # Started by ``rokin dev``; not listed in the help (no ``help=``).
    sink = commands.add_parser("mailsink")
    sink.add_argument("--host", default="127.0.0.1")
    sink.add_argument("--port", type=int, default=DEFAULT_PORTS.smtp)
    sink.add_argument("--maildir", type=Path, help="default: ROKIN_DEV_MAILBOX, else <data dir>/mail")
    return parser


def main(argv: list[str] | None = None) -> None:
    arguments = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except ConfigError as error:
        print(f"rokin: {error}", file=sys.stderr)
        sys.exit(2)
    if arguments.command in SERVERS:  # their lines in ROKIN_LOG_FORMAT; one-shot commands print their own
        configure_logging(settings)
    if arguments.command not in ("dev", "simulate"):  # dev checks its ports first; simulate uses a temp dir
        # Every command keeps something there (database, secret key, PKI, mail): private to this user.
        settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        code = _run(arguments, settings)
    except ConfigError as error:  # found at start (a missing payload key, a port taken): what to set, no traceback
        print(f"rokin: {error}", file=sys.stderr)
        sys.exit(2)
    sys.exit(code or 0)


def _run(arguments: argparse.Namespace, settings: Settings) -> int | None:  # noqa: PLR0911
    match arguments.command:
        case "dev":
            from .devstack import DevStack, Ports

            ports = Ports(temporal=arguments.temporal_port, ui=arguments.ui_port,
                          web=arguments.web_port, smtp=arguments.smtp_port, pki=arguments.pki_port)
            return DevStack(settings, ports).run()
        case "worker":
            import worker

            return worker.main()
        case "web":
            return _web(settings, arguments.host, arguments.port)
        case "pki-http":
            from web.pki_http import create_pki_app

            from .serve import serve_http

            serve_http(create_pki_app(settings), arguments.host, arguments.port)
            return None
        case "migrate":
            from store.migrate import upgrade

            upgrade(settings.database_url)
            print("rokin migrate: the database schema is up to date")
            return None
        case "admin":
            return _admin(settings, arguments)
        case "simulate":
            from .simulate import main as simulate

            _leave_before_sdk_teardown(simulate(arguments.start_date, as_json=arguments.json))
        case "mailsink":
            from .mailsink import run_sink

            maildir = arguments.maildir or settings.dev_mailbox or settings.data_dir / "mail"
            run_sink(arguments.host, arguments.port, maildir)
            return None
    raise AssertionError(arguments.command)


def _web(settings: Settings, host: str, port: int) -> int | None:
    from pki.devca import DevPki
    from web import create_app

    from .serve import context_for, serve

    try:
        context = context_for(DevPki.in_data_dir(settings.data_dir), settings.ca_certificate_path)
    except FileNotFoundError as error:
        print(f"rokin web: {error}", file=sys.stderr)
        return 1
    serve(create_app(settings=settings), host, port, context)
    return None


def _admin(settings: Settings, arguments: argparse.Namespace) -> int | None:
    from . import admin

    command = f"admin {arguments.admin_command}"
    if arguments.admin_command == "sample-data":
        from .sample_data import main as sample_data

        _leave_before_sdk_teardown(sample_data(settings, as_json=arguments.json))
    from . import admin_banks

    try:
        if arguments.admin_command == "create-org":
            admin.create_org(settings, code=arguments.code, name=arguments.name, email=arguments.email,
                             as_json=arguments.json, bank_code=arguments.bank, branch_code=arguments.branch)
        elif arguments.admin_command == "load-branches":
            admin_banks.load_branches(settings, path=arguments.file, as_json=arguments.json)
        elif arguments.admin_command == "assign-branch":
            admin_banks.assign_branch(settings, organization_code=arguments.org, bank_code=arguments.bank,
                                      branch_code=arguments.branch)
        else:
            admin.create_staff(settings, login=arguments.login, role=arguments.role, as_json=arguments.json,
                               bank_code=admin_banks.staff_bank(arguments.bank, arguments.federation))
    except admin.CommandError as error:
        return admin.report(command, error)
    return None


def _leave_before_sdk_teardown(code: int) -> NoReturn:
    """Exit now: the Temporal SDK's native threads can abort interpreter shutdown (sdk-python#300,
    "Fatal Python error: PyGILState_Release", exit 134) after a command that used it in-process."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    main()
