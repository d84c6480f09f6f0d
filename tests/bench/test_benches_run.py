"""Each benchmark runs once at a tiny size, so a change that breaks one is caught here; then the
report is built over their results.

Timing is never asserted: the figures belong to the benchmark's own report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import machine
from bench.profile import CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TINY = {
    "issuance": ["--serial", "2", "--levels", "1,2", "--per-client", "1"],
    "login": ["--levels", "1,2", "--per-client", "2"],
}
PAYLOAD_KEYS = {"name", "title", "command", "machine", "results", "markdown", "plots", "headlines"}


def run_module(module: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", module, *arguments], cwd=ROOT, capture_output=True, text=True,
                          timeout=280)


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:  # noqa: ANN001
    return tmp_path_factory.mktemp("benchmarks")


@pytest.fixture(scope="module")
def runs(out: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    return {name: run_module(f"bench.{name}", *size, "--out", str(out)) for name, size in TINY.items()}


@pytest.fixture(scope="module")
def production_runs(out: Path) -> dict[str, subprocess.CompletedProcess[str]]:
    """The same benches on the production topology, into the same report directory."""
    return {name: run_module(f"bench.{name}", *size, "--topology", "production", "--out", str(out))
            for name, size in TINY.items()}


@pytest.mark.parametrize("name", list(TINY))
def test_bench_runs_and_writes_its_results_and_plots(name, runs, out):
    run = runs[name]
    assert run.returncode == 0, run.stderr[-3000:]
    assert "p50" in run.stdout and "machine:" in run.stdout
    payload = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
    assert PAYLOAD_KEYS <= payload.keys() and payload["name"] == name
    assert payload["command"].startswith(f"python -m bench.{name}") and payload["headlines"]
    assert payload["machine"]["cores"] and "production parameters" in payload["markdown"]
    assert payload["plots"]
    for plot in payload["plots"]:
        assert (out / plot).read_bytes().startswith(PNG_SIGNATURE), plot


@pytest.mark.parametrize("name", list(TINY))
def test_bench_runs_on_the_production_topology(name, production_runs, out):
    """nginx, gunicorn, two workers and PostgreSQL (bench.production): its own results and plots."""
    run = production_runs[name]
    assert run.returncode == 0, run.stderr[-3000:]
    payload = json.loads((out / "results" / f"{name}-production.json").read_text(encoding="utf-8"))
    assert payload["name"] == f"{name}-production" and payload["topology"] == "production"
    assert payload["command"].endswith("--topology production")
    assert all(plot.startswith(f"{name}-production-") for plot in payload["plots"]), payload["plots"]


@pytest.mark.parametrize("name", list(TINY))
def test_bench_profiles_where_the_time_of_one_request_goes(name, runs, production_runs, out):
    """Issue 14: each bench profiles one request of the product's app on its topology (bench.profile)."""
    for result in (name, f"{name}-production"):
        payload = json.loads((out / "results" / f"{result}.json").read_text(encoding="utf-8"))
        profile = payload["results"]["profile"]
        assert set(CATEGORIES) <= profile["in_app"].keys() and profile["in_app"]["total"] > 0
        assert profile["in_app"]["Temporal"] > 0 and profile["in_app"]["database"] > 0
        assert profile["tls_handshake"] > 0 and "Where the time goes" in payload["markdown"]


def test_issuance_measures_the_product_and_both_baselines_at_every_level(runs, out):
    results = json.loads((out / "results" / "issuance.json").read_text(encoding="utf-8"))["results"]
    assert results["serial"]["issuance"]["n"] == 2
    assert [level["clients"] for level in results["levels"]] == [1, 2]
    for level in results["levels"]:
        assert {"issuance", "bare_workflow", "bare_workflow_regular", "raw_crypto", "floor", "old_floor",
                "ratios"} <= level.keys()
        assert level["issuance"]["n"] == level["clients"]
    assert {"p50_to_floor", "p50_to_old_floor"} <= results["serial"]["ratios"].keys()


def test_report_has_the_headlines_and_a_section_per_bench_with_both_topologies(runs, production_runs, out):
    report = run_module("bench.report", "--out", str(out))
    assert report.returncode == 0, report.stderr
    text = (out / "README.md").read_text(encoding="utf-8")
    for name in TINY:
        dev = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
        production = json.loads((out / "results" / f"{name}-production.json").read_text(encoding="utf-8"))
        assert text.count(f"\n## {dev['title']}\n") == 1 and f"\n### {production['title']}\n" in text
        for payload in (dev, production):
            assert f"`{payload['command']}`" in text
            assert all(f"]({plot})" in text for plot in payload["plots"])
        for mine, theirs in zip(dev["headlines"], production["headlines"], strict=True):  # one row, side by side
            assert f"| {mine['label']} | {mine['value']} | {theirs['value']} |" in text
        section = text[text.index(f"\n## {dev['title']}\n"):]
        assert section.index("| part | development topology | production topology |") < section.index("### ")
    assert text.index("| bench | figure | development topology | production topology |") < text.index("## ")
    assert text.index("## Issuance") < text.index("## Certificate login")


def test_report_refuses_a_result_whose_plot_is_missing(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "x.json").write_text(json.dumps({
        "name": "x", "title": "X", "command": "python -m bench.x", "machine": machine(), "markdown": "",
        "plots": ["x-latency.png"], "headlines": []}))
    report = run_module("bench.report", "--out", str(tmp_path))
    assert report.returncode == 2
    assert "x-latency.png" in report.stderr and "Traceback" not in report.stderr
    assert not (tmp_path / "README.md").exists()


def test_report_without_results_says_so(tmp_path):
    report = run_module("bench.report", "--out", str(tmp_path))
    assert report.returncode == 2 and "no results" in report.stderr


# --- lifecycle scale and burst (their own output directory: tiny runs of the stateful benches) ---

SCALE_TINY = ["--certificates", "50", "--lockouts", "50", "--step", "50", "--locked", "0.1", "--logins", "3",
              "--issuances", "2"]


@pytest.fixture(scope="module")
def stateful_out(tmp_path_factory) -> Path:  # noqa: ANN001
    return tmp_path_factory.mktemp("stateful-benchmarks")


def _payload(out: Path, name: str) -> dict:
    payload = json.loads((out / "results" / f"{name}.json").read_text(encoding="utf-8"))
    assert PAYLOAD_KEYS <= payload.keys() and payload["name"] == name
    bench = name.removesuffix("-production")
    assert payload["command"].startswith(f"python -m bench.{bench} ") and payload["headlines"]
    assert payload["plots"] and all(plot.startswith(f"{name}-") for plot in payload["plots"])
    if name != bench:  # the production topology's run says so, and keeps its own plots
        assert payload["command"].endswith("--topology production") and payload["topology"] == "production"
    for plot in payload["plots"]:
        assert (out / plot).read_bytes().startswith(PNG_SIGNATURE), plot
    return payload


def topology_arguments(topology: str) -> list[str]:
    return [] if topology == "dev" else ["--topology", topology]


def result_of(name: str, topology: str) -> str:
    return name if topology == "dev" else f"{name}-{topology}"


@pytest.mark.parametrize("topology", ["dev", "production"])
def test_scale_keeps_every_workflow_and_timer_across_the_restart(stateful_out, topology):
    """On the production topology both worker replicas stop and start again, on PostgreSQL."""
    run = run_module("bench.scale", *SCALE_TINY, *topology_arguments(topology), "--out", str(stateful_out))
    assert run.returncode == 0, run.stderr[-3000:]
    results = _payload(stateful_out, result_of("scale", topology))["results"]
    running = results["restart"]["running"]
    assert running["found"]["lifecycles_bulk"] == running["found"]["lockouts_bulk"] == 50
    assert running["exact"], running
    lifecycles, locks = results["restart"]["lifecycle_timers"], results["restart"]["lock_timers"]
    # 50 bulk lifecycles + those of the issuance probes (a warm-up and 2 per phase)
    assert lifecycles["checked"] == 55 and lifecycles["matching"] == 55, lifecycles
    assert locks["checked"] == 5 and locks["matching"] == 5, locks
    assert results["mail"]["received"] == results["mail"]["expected"] > 0
    assert [sample["workflows"] for sample in results["growth"]["samples"]] == [0, 50, 100]
    assert all(sample["product_db_mib"] > 0 and sample["worker_rss_mib"] > 0 for sample in results["growth"]["samples"])
    assert "pending timers: lifecycles 55/55 as expected" in run.stdout and "locks 5/5" in run.stdout


@pytest.mark.parametrize("topology", ["dev", "production"])
def test_burst_counts_stay_exact(stateful_out, topology):
    """On the production topology the burst crosses nginx to two gunicorn processes: still exact."""
    run = run_module("bench.burst", "--attempts", "10", *topology_arguments(topology), "--out", str(stateful_out))
    assert run.returncode == 0, run.stderr[-3000:]
    counts = _payload(stateful_out, result_of("burst", topology))["results"]["counts"]
    assert counts["exact"], counts
    many, one = counts["many_ids"], counts["one_id"]
    assert many["judged"] == many["histories_in_order"] == many["read_model_matches"] == 10
    assert one["judged"] == 10 and one["history_in_order"]
    assert one["arbiter_outcomes"] == {"wrong_password": 5, "locked_now": 1, "locked": 4}
    assert one["read_model"] == {"failed_attempts": 6, "lock_count": 1, "status": "locked"}
    assert one["lock_emails"] == one["emails_total"] == one["pending_lock_timers"] == 1
    assert "Counts exact: **yes**" in run.stdout


def test_report_takes_the_scale_and_burst_results(stateful_out):
    report = run_module("bench.report", "--out", str(stateful_out))
    assert report.returncode == 0, report.stderr
    text = (stateful_out / "README.md").read_text(encoding="utf-8")
    assert text.index("## Burst") < text.index("## Lifecycle scale")


# --- revocation delay (issue 5): its own output directory, two approvals ---


@pytest.mark.parametrize("topology", ["dev", "production"])
def test_revocation_delay_times_ocsp_and_crl_after_each_approval(tmp_path, topology):
    """On the production topology OpenSSL asks the PKI listener under gunicorn, through nginx."""
    run = run_module("bench.revocation_delay", "--requests", "2", *topology_arguments(topology), "--out", str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    assert "p50" in run.stdout and "machine:" in run.stdout
    payload = _payload(tmp_path, result_of("revocation_delay", topology))
    results = payload["results"]
    for key in ("ocsp_revoked_ms", "crl_listed_ms", "database_revoked_ms", "approve_post_ms"):
        assert results[key]["n"] == 2, key
    assert len(results["samples_ms"]["ocsp"]) == 2 and "openssl ocsp" in payload["markdown"]
