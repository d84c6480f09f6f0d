"""The benches' closed-loop harness: every client's operations, failures counted, bench bugs raised."""

from __future__ import annotations

import argparse
import threading

import pytest

from bench.browser import PageError
from bench.load import Run, closed_loop, parse_levels


def test_every_client_runs_its_operations_after_preparing_and_all_start_together():
    prepared = threading.Barrier(3, timeout=10)  # the three clients are all prepared before any operation

    def prepare(client: int):  # noqa: ANN202
        prepared.wait()
        return lambda number: float(client * 100 + number)

    run = closed_loop(3, 4, prepare)
    assert sorted(run.samples_ms) == sorted(float(c * 100 + n) for c in range(3) for n in range(4))
    assert run.clients == 3 and run.failures == [] and run.throughput > 0


def test_a_failed_operation_is_counted_and_the_client_goes_on():
    def prepare(_client: int):  # noqa: ANN202
        def step(number: int) -> float:
            if number == 1:
                raise PageError("/login answered 500 without CSRF token: エラー 500")
            return 1.0

        return step

    summary = closed_loop(2, 4, prepare).summary()
    assert summary["n"] == 6 and summary["failed"] == 2
    assert summary["failure_examples"] == ["PageError: /login answered 500 without CSRF token: エラー 500"]


def test_mostly_failing_is_not_a_measurement():
    def prepare(_client: int):  # noqa: ANN202
        def step(_number: int) -> float:
            raise ConnectionResetError("reset by peer")

        return step

    with pytest.raises(RuntimeError, match="4 of 4 operations failed"):
        closed_loop(2, 2, prepare)


def test_a_bug_in_the_bench_stops_it():
    with pytest.raises(KeyError):
        closed_loop(2, 2, lambda _client: lambda _number: {}["missing"])


def test_a_client_that_cannot_prepare_stops_the_run():
    def prepare(client: int):  # noqa: ANN202
        if client == 1:
            raise ValueError("no users left")
        return lambda _number: 1.0

    with pytest.raises(ValueError, match="no users left"):
        closed_loop(3, 2, prepare)


def test_rounds_combine_into_one_run():
    combined = Run.combined([Run(2, [1.0, 2.0], 1.0, ["x"]), Run(2, [3.0], 2.0)])
    assert combined.samples_ms == [1.0, 2.0, 3.0] and combined.seconds == 3.0 and combined.failures == ["x"]
    assert combined.throughput == 1.0


@pytest.mark.parametrize(("text", "levels"), [("1,4,8,16", [1, 4, 8, 16]), ("8, 1", [1, 8])])
def test_levels_parse(text, levels):
    assert parse_levels(text) == levels


@pytest.mark.parametrize("text", ["", "0,1", "a", "-2"])
def test_bad_levels_are_refused(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_levels(text)
