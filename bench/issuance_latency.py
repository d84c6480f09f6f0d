"""Time from 発行 to the .p12 received (seed 001 ⑤ → ⑦), through the real web app, on a local dev server.

    python bench/issuance_latency.py [--issuances 50]

Starts the Temporal dev server from the venv (in memory, free port), the product's worker and an
SMTP sink, a development CA and a temporary SQLite database; then, for each issuance, a new
registered master user passes ④ ユーザー認証 (not timed) and presses 発行: the timed request is
the 発行 POST through the Flask app — key pair and CSR, the issuance workflow signing, the .p12
built — until ⑦'s page with the .p12 is in hand. Prints the first issuance apart, then p50/p95.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.testing import WorkflowEnvironment  # noqa: E402

from pki.devca import ensure_dev_pki  # noqa: E402
from rokin.config import Settings  # noqa: E402
from rokin.mailsink import start_sink  # noqa: E402
from store.migrate import upgrade  # noqa: E402
from tests.fixtures.mail import free_port  # noqa: E402
from tests.fixtures.temporal import DEV_SERVER, SEARCH_ATTRIBUTES  # noqa: E402
from tests.fixtures.users import registered_master  # noqa: E402
from tests.web.arbiter import WorkerThread  # noqa: E402
from web import create_app  # noqa: E402

# Not tests.conftest's helpers: importing it switches argon2 to its cheap test profile, and 発行
# verifies the password again with the real one.
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TICKET = re.compile(r'id="ticket" name="ticket" type="hidden" value="([^"]+)"')


def issue(client, user_id: str, password: str) -> float:  # noqa: ANN001
    """④ then ⑤ 発行; returns the milliseconds of the 発行 POST until ⑦ with the .p12 is in hand."""
    token = CSRF.search(client.get("/certificate/issue").get_data(as_text=True)).group(1)
    confirm = client.post("/certificate/issue", data={"csrf_token": token, "user_id": user_id,
                                                      "password": password}).get_data(as_text=True)
    form = {"csrf_token": CSRF.search(confirm).group(1), "ticket": TICKET.search(confirm).group(1)}
    started = time.perf_counter()
    done = client.post("/certificate/issue/run", data=form)
    elapsed = (time.perf_counter() - started) * 1000
    assert done.status_code == 200 and b'id="p12-download"' in done.data, done.status_code
    return elapsed


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main(issuances: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="rokin-bench-"))
    url = f"sqlite:///{data_dir / 'rokin.db'}"
    upgrade(url)
    ensure_dev_pki(data_dir / "pki")
    smtp_port = free_port()
    sink = start_sink("127.0.0.1", smtp_port, data_dir / "mail")
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    env = asyncio.run_coroutine_threadsafe(WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER), search_attributes=SEARCH_ATTRIBUTES, ui=False), loop).result(60)
    settings = replace(Settings.from_env({}), data_dir=data_dir, database_url=url, task_queue="bench",
                       temporal_address=env.client.service_client.config.target_host, smtp_port=smtp_port)
    workers = WorkerThread(settings.temporal_address, settings.temporal_namespace)
    timings: list[float] = []
    try:
        with workers.worker(settings):
            client = create_app({"TESTING": True}, settings=settings).test_client()
            for _ in range(issuances + 1):
                user = registered_master(url, email="bench@example.jp")
                timings.append(issue(client, user.user_id, user.passwords[-1]))
    finally:
        workers.close()
        asyncio.run_coroutine_threadsafe(env.shutdown(), loop).result(60)
        sink.stop()
    first, rest = timings[0], timings[1:]
    print(f"first issuance (connects the web's Temporal client): {first:.0f} ms")
    print(f"{len(rest)} issuances, 発行 → .p12: p50 {statistics.median(rest):.0f} ms, "
          f"p95 {percentile(rest, 0.95):.0f} ms, max {max(rest):.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issuances", type=int, default=50)
    main(parser.parse_args().issuances)
