"""The open-loop load generator of bench/neighbours.py (bench/openloop.py) and the noisy
neighbours' pure helpers: the schedule, nearest-rank percentiles, latency counted from the
intended start, and the big workspace's generated rows."""

from __future__ import annotations

import asyncio
import datetime as dt
import math

import pytest
from bench import neighbours, openloop
from bench.openloop import Sample, Slot


def test_schedule_is_evenly_spaced_and_alternates_kinds() -> None:
    slots = openloop.schedule(4, 1.5, ("get", "list"))
    assert slots == [Slot(0.0, "get"), Slot(0.25, "list"), Slot(0.5, "get"),
                     Slot(0.75, "list"), Slot(1.0, "get"), Slot(1.25, "list")]


@pytest.mark.parametrize(("rate", "seconds", "kinds"),
                         [(0, 10, ("get",)), (10, 0, ("get",)), (10, 10, ())])
def test_schedule_empty_when_nothing_to_send(rate: float, seconds: float,
                                             kinds: tuple[str, ...]) -> None:
    assert openloop.schedule(rate, seconds, kinds) == []


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 1..100, unsorted
    assert openloop.percentile(values, 50) == 50.0
    assert openloop.percentile(values, 99) == 99.0
    assert openloop.percentile(values, 100) == 100.0
    assert openloop.percentile([7.0], 99) == 7.0
    assert openloop.percentile([1.0, 2.0, 3.0], 0) == 1.0
    assert math.isnan(openloop.percentile([], 50))


def test_summary_per_kind_and_errors() -> None:
    samples = [Sample("get", 0.010, 200), Sample("get", 0.030, 200),
               Sample("list", 0.020, 503), Sample("list", 0.040, 0)]
    out = openloop.summary(samples)
    assert out["all"]["requests"] == 4 and out["all"]["errors"] == 2
    assert out["get"] == {"requests": 2, "p50_ms": 10.0, "p99_ms": 30.0, "max_ms": 30.0,
                          "errors": 0}
    assert out["list"]["errors"] == 2 and out["list"]["p50_ms"] == 20.0


async def test_run_is_open_loop_and_counts_from_the_intended_start() -> None:
    """Request 0 answers only once the last one has started: a closed loop would never get
    there; its latency then covers the whole wait from its own slot."""
    slots = openloop.schedule(500, 0.01, ("get", "list"))  # 5 starts, 2 ms apart
    last_started = asyncio.Event()
    order: list[int] = []

    async def send(kind: str, i: int) -> int:
        order.append(i)
        if i == len(slots) - 1:
            last_started.set()
        if i == 0:
            await last_started.wait()
            return 503
        return 200

    samples, late = await asyncio.wait_for(openloop.run(slots, send), timeout=30)
    assert order == [0, 1, 2, 3, 4]
    assert [s.kind for s in samples] == ["get", "list", "get", "list", "get"]
    assert [s.status for s in samples] == [503, 200, 200, 200, 200]
    assert samples[0].latency >= slots[-1].at
    assert late >= 0


async def test_run_counts_a_transport_error_as_status_zero() -> None:
    async def send(kind: str, i: int) -> int:
        raise ConnectionError("refused")

    samples, _ = await openloop.run([Slot(0.0, "get")], send)
    assert samples[0].status == 0
    assert openloop.summary(samples)["all"]["errors"] == 1


def test_big_rows_match_their_fields_and_types() -> None:
    specs = neighbours.big_fields(30)
    assert [s["name"] for s in specs][:3] == ["name", "u", "f00"] and len(specs) == 32
    row = neighbours.big_row(12345, 30)
    assert set(row) == {s["name"] for s in specs}
    assert row["f00"] == (12345 * 31 + 0) % 1000  # number
    assert row["f01"] == f"v{(12345 * 37 + 1) % 500}"  # text
    assert row["f02"] == (dt.date(2020, 1, 1) + dt.timedelta(days=(12345 * 41 + 2) % 1000)
                          ).isoformat()  # date
    assert 0 <= row["u"] < neighbours.U_VALUES


def test_insert_sql_numbers_its_parameters_in_field_order() -> None:
    ids = {s["name"]: f"fld_{i:016d}" for i, s in enumerate(neighbours.big_fields(4))}
    sql = neighbours.insert_big_sql(ids, 4)
    params = neighbours.big_params(ids, 4)
    assert len(params) == 6
    for n in range(6, 12):  # $6… are the field ids, in big_params' order
        assert f"${n}::text" in sql
    assert "$12" not in sql


def test_ratios_divide_busy_by_idle_per_kind() -> None:
    idle = {k: {"p50_ms": 10.0, "p99_ms": 20.0} for k in ("all", "get", "list")}
    busy = {"all": {"p50_ms": 11.0, "p99_ms": 50.0}, "get": {"p50_ms": 10.0, "p99_ms": 20.0},
            "list": {"p50_ms": 12.0, "p99_ms": 30.0}}
    out = neighbours.ratios(idle, busy)
    assert out == pytest.approx({"all_p50_ms": 1.1, "all_p99_ms": 2.5, "get_p50_ms": 1.0,
                                 "get_p99_ms": 1.0, "list_p50_ms": 1.2, "list_p99_ms": 1.5})


def test_busy_workers_share_of_possible_samples() -> None:
    # py-spy raw lines: "frame;frame count"; 2 workers × 250 Hz × 2 s = 1,000 possible samples
    lines = ["main (app.py:1);validate (objectry/records/validate.py:9) 300",
             "main (app.py:1);encode (objectry/exports/csv.py:3) 200"]
    out = neighbours.busy_workers(lines, workers=2, seconds=2)
    assert out["busy_share"] == 0.5
    assert dict(out["packages"]) == pytest.approx({"objectry.records": 60.0,
                                                   "objectry.exports": 40.0})
