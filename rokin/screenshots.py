"""``scripts/screenshots``: the README's pictures, taken from a real run so they stay true (issue 15).

1. ``rokin dev`` itself, on free ports, with a temporary ``ROKIN_DATA_DIR`` (its Temporal Web UI included);
2. ``rokin admin sample-data`` fills it through the pages' use-cases; then, through the same use-cases
   (``rokin.acting``), a receiver and an approver settle organization 8001's written request, so its
   master user may issue again, and an administrator account gets its own password;
3. Debian's Chromium (Playwright) takes: the login screen, issuance ⑦ (8001's master issues in the
   browser and downloads the .p12), the master's top screen with the certificate timeline (logged in
   with that .p12 over mutual TLS), the staff dashboard, and the Temporal UI with a visibility query.

The PNGs go to ``docs/screens/`` (``--out`` elsewhere); ``--keep`` leaves the data directory. Each
``shoot_*`` coroutine takes one picture and is usable on its own (``tests/rokin/test_screenshots.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screens"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 30_000
STARTUP_SECONDS = 120.0
STAFF_LOGIN = "shotadmin1"
STAFF_PASSWORD = "Screens2026x"

# name → what it shows (the README lists them in this order)
SHOTS = {
    "login.png": "ログイン画面 (the login screen)",
    "issuance-result.png": "⑦ 発行結果 (issuance result, the .p12 downloaded)",
    "top-master.png": "トップ画面 of a master user, with the certificate timeline",
    "staff-dashboard.png": "職員メニュー with the staff dashboard",
    "temporal-ui-visibility.png": "Temporal Web UI with a visibility query (certificates in their renewal window)",
}
# Variables that would point the children at somebody else's database, Temporal or mailbox.
_THEIRS = ("ROKIN_DATA_DIR", "DATABASE_URL", "ROKIN_DEV_MAILBOX", "TEMPORAL_ADDRESS", "SMTP_HOST", "SMTP_PORT",
           "ROKIN_PUBLIC_URL", "ROKIN_SECRET_KEY", "ROKIN_PKI_URL")


class ScreenshotError(Exception):
    """One line for the terminal: what did not come up."""


# --- the stack ----------------------------------------------------------------------------------


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports the kernel just handed out on loopback (free now)."""
    chosen: set[int] = set()
    while len(chosen) < count:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            chosen.add(probe.getsockname()[1])
    return sorted(chosen)


@dataclass
class DevStack:
    """One ``rokin dev`` on free ports in ``data_dir``, output in files (a full pipe would stall it)."""

    data_dir: Path
    temporal: int
    ui: int
    web: int
    smtp: int
    pki: int
    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def on_free_ports(cls, data_dir: Path) -> DevStack:
        temporal, ui, web, smtp, pki = free_ports(5)
        return cls(data_dir, temporal, ui, web, smtp, pki)

    @property
    def env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in _THEIRS}
        return {**env, "ROKIN_DATA_DIR": str(self.data_dir), "TEMPORAL_ADDRESS": f"127.0.0.1:{self.temporal}"}

    @property
    def web_url(self) -> str:
        return f"https://127.0.0.1:{self.web}"

    @property
    def ui_url(self) -> str:
        return f"http://127.0.0.1:{self.ui}"

    def start(self) -> None:
        rokin = Path(sys.executable).parent / "rokin"
        flags = ["--temporal-port", str(self.temporal), "--ui-port", str(self.ui), "--web-port", str(self.web),
                 "--smtp-port", str(self.smtp), "--pki-port", str(self.pki)]
        with (self.data_dir / "dev-stdout.txt").open("wb") as out, (self.data_dir / "dev-stderr.txt").open("wb") as err:
            self.process = subprocess.Popen([str(rokin), "dev", *flags], env=self.env, cwd=REPO, stdout=out,
                                            stderr=err)

    def wait_until_up(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while not (_answers_https(self.web) and _answers_http(self.ui)):
            if self.process is not None and self.process.poll() is not None:
                raise ScreenshotError(f"rokin dev exited ({self.process.returncode}): see {self.data_dir}/dev-*.txt")
            if time.monotonic() > deadline:
                raise ScreenshotError(f"rokin dev did not come up within {timeout:.0f}s")
            time.sleep(0.5)

    def stop(self) -> None:
        """Ctrl-C, as a person would: ``rokin dev`` stops every child it started."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def rokin(self, *arguments: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(Path(sys.executable).parent / "rokin"), *arguments], env=self.env, cwd=REPO,
                              capture_output=True, text=True, timeout=timeout, check=False)


def _answers_https(port: int) -> bool:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    return _answers(connection)


def _answers_http(port: int) -> bool:
    return _answers(http.client.HTTPConnection("127.0.0.1", port, timeout=5))


def _answers(connection: http.client.HTTPConnection) -> bool:
    try:
        connection.request("GET", "/")
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def load_sample_data(stack: DevStack, timeout: float = 60) -> dict[str, Any]:
    """``rokin admin sample-data --json``, once the worker polls (it says so when it does not yet)."""
    deadline = time.monotonic() + timeout
    while True:
        result = stack.rokin("admin", "sample-data", "--json")
        if result.returncode == 0:
            return dict(json.loads(result.stdout))
        if "no worker polls" not in result.stderr or time.monotonic() > deadline:
            raise ScreenshotError(f"sample data: {result.stderr.strip()}")
        time.sleep(1)


async def settle_and_prepare(stack: DevStack, sample: dict[str, Any]) -> str:
    """Through the use-cases: 8001's written request received and approved (its master's certificate is
    revoked, so the master may issue again), and an administrator with a password of its own. Returns
    the request's number."""
    from temporalio.client import Client

    from core.config import Settings
    from core.payload_keys import data_converter
    from domain.roles import StaffRole
    from store import audit
    from store.db import make_engine, make_session_factory
    from usecases import organizations

    from .acting import Acting

    settings = Settings.from_env(stack.env)
    client = await Client.connect(settings.temporal_address, namespace=settings.temporal_namespace,
                                  data_converter=data_converter(settings))
    engine = make_engine(settings.database_url)
    try:
        acting = Acting(client, make_session_factory(engine), task_queue=settings.task_queue, clock=_now)
        number = next(number for number, state in sample["requests"].items() if state == "awaiting_paper")
        receiver = await acting.staff_account("shotrecv1", StaffRole.RECEIVER)
        approver = await acting.staff_account("shotappr1", StaffRole.APPROVER)
        await acting.receive_paper(number, receiver)
        await acting.approve(number, approver, "書面を確認しました（スクリーンショット）")
        with make_session_factory(engine)() as session:
            staff, _ = organizations.create_staff(session, login=STAFF_LOGIN, role=StaffRole.ADMINISTRATOR,
                                                  actor=audit.Actor.cli())
            organizations.replace_initial_staff_password(session, staff=staff, new_password=STAFF_PASSWORD,
                                                         actor=audit.Actor.cli())
        return str(number)
    finally:
        engine.dispose()


async def _now() -> datetime:
    return datetime.now(timezone.utc)


# --- the pictures -------------------------------------------------------------------------------


async def launch(playwright: Any) -> Any:
    return await playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


async def _context(browser: Any, **options: Any) -> Any:
    context = await browser.new_context(ignore_https_errors=True, locale="ja-JP", viewport=VIEWPORT, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


async def shoot_login(browser: Any, base_url: str, out: Path) -> Path:
    context = await _context(browser)
    try:
        page = await context.new_page()
        await page.goto(base_url + "/")
        await page.wait_for_selector("#btn-login")
        return await _save(page, out / "login.png", full_page=False)
    finally:
        await context.close()


async def shoot_issuance(browser: Any, base_url: str, user_id: str, password: str, out: Path,
                         downloads: Path) -> Path:
    """④ → ⑤ → ⑦ in the browser; the picture of ⑦, and the .p12 it downloaded (returned)."""
    context = await _context(browser, accept_downloads=True)
    try:
        page = await context.new_page()
        await page.goto(base_url + "/")
        await page.click("#btn-issue")
        await page.fill("#user_id", user_id)
        await page.fill("#password", password)
        await page.click("#submit")
        await page.wait_for_selector("#issue")
        await page.wait_for_load_state("load")
        async with page.expect_download() as download_info:
            await page.click("#issue")
        download = await download_info.value
        await page.wait_for_selector("#issued-serial")
        p12: Path = downloads / str(download.suggested_filename)
        await download.save_as(p12)
        await _save(page, out / "issuance-result.png", full_page=True)
        return p12
    finally:
        await context.close()


async def shoot_master_top(browser: Any, base_url: str, p12: Path, password: str, out: Path) -> Path:
    """Certificate login with the .p12 ⑦ gave, then the top screen down to the timeline."""
    context = await _context(browser, client_certificates=[
        {"origin": base_url, "pfxPath": str(p12), "passphrase": password}])
    try:
        page = await context.new_page()
        await page.goto(base_url + "/")
        await page.click("#btn-login")
        await page.fill("#password", password)
        await page.click("#submit")
        await page.wait_for_selector("#chart-certificate-timeline")
        return await _save(page, out / "top-master.png", full_page=True)
    finally:
        await context.close()


async def shoot_staff_dashboard(browser: Any, base_url: str, login: str, password: str, out: Path) -> Path:
    context = await _context(browser)
    try:
        page = await context.new_page()
        await page.goto(base_url + "/staff/login")
        await page.fill("#login", login)
        await page.fill("#password", password)
        await page.click("#submit")
        await page.wait_for_selector("#dashboard")
        return await _save(page, out / "staff-dashboard.png", full_page=True)
    finally:
        await context.close()


async def shoot_temporal_ui(browser: Any, ui_url: str, query: str, out: Path, *, expected: str) -> Path:
    """The workflow list of the default namespace filtered by ``query``, once ``expected`` shows."""
    context = await _context(browser)
    try:
        page = await context.new_page()
        await page.goto(f"{ui_url}/namespaces/default/workflows?query={quote(query)}")
        await page.get_by_text(expected).first.wait_for()
        await page.wait_for_load_state("networkidle")
        return await _save(page, out / "temporal-ui-visibility.png", full_page=False)
    finally:
        await context.close()


async def _save(page: Any, path: Path, *, full_page: bool) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=full_page)
    return path


# --- the whole run ------------------------------------------------------------------------------


async def take_all(stack: DevStack, sample: dict[str, Any], out: Path, downloads: Path) -> list[Path]:
    from playwright.async_api import async_playwright

    master = sample["people"]["8001/master"]
    renewal_window = next(query for query in sample["queries"] if "renewal_window" in query)
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            shots = [await shoot_login(browser, stack.web_url, out)]
            p12 = await shoot_issuance(browser, stack.web_url, master["user_id"], sample["password"], out, downloads)
            shots.append(out / "issuance-result.png")
            shots.append(await shoot_master_top(browser, stack.web_url, p12, sample["password"], out))
            shots.append(await shoot_staff_dashboard(browser, stack.web_url, STAFF_LOGIN, STAFF_PASSWORD, out))
            shots.append(await shoot_temporal_ui(browser, stack.ui_url, renewal_window, out,
                                                 expected="CertificateLifecycleWorkflow"))
            return shots
        finally:
            await browser.close()


def run(out: Path, *, keep: bool) -> list[Path]:
    data_dir = Path(tempfile.mkdtemp(prefix="rokin-screens-"))
    stack = DevStack.on_free_ports(data_dir)
    try:
        print(f"rokin dev on ports {stack.web} (web) and {stack.ui} (Temporal UI), data in {data_dir}", flush=True)
        stack.start()
        stack.wait_until_up()
        sample = load_sample_data(stack)
        print("sample data loaded", flush=True)
        asyncio.run(settle_and_prepare(stack, sample))
        downloads = data_dir / "downloads"
        downloads.mkdir()
        return asyncio.run(take_all(stack, sample, out, downloads))
    finally:
        stack.stop()
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/screenshots", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the PNGs go (default {OUT})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data directory")
    arguments = parser.parse_args(argv)
    try:
        shots = run(arguments.out, keep=arguments.keep)
    except ScreenshotError as error:
        print(f"scripts/screenshots: {error}", file=sys.stderr)
        return 1
    for shot in shots:
        print(shot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
