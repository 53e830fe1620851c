"""The targets of issue 18, judged from one scale's results: (target, measured, verdict)."""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str]


def _live(ops: dict[str, Any], op: str, app: str) -> dict[str, Any] | None:
    entry = ops.get(op, {}).get(app)
    return entry if entry and "pending" not in entry else None


def _ratio_target(ops: dict[str, Any], op: str, label: str, floor: float) -> Row:
    o, c = _live(ops, op, "objectry"), _live(ops, op, "ceiling")
    if not o or not c:
        return (label, "endpoint pending", "pending")
    ratio = o["rps"] / c["rps"]
    return (label, f"{ratio:.2f}× ceiling", "met" if ratio >= floor else "missed")


def judge(result: dict[str, Any]) -> list[Row]:
    """Issue 18's targets that one scale's run can judge (the page with two rollups and the
    noisy neighbours have benches of their own: bench.computed, bench.neighbours)."""
    ops, records = result["ops"], result["records"]
    rows = [_ratio_target(ops, "get", "get by id ≥ 1.0× ceiling", 1.0),
            _ratio_target(ops, "list_indexed", "indexed filtered list ≥ 1.0× ceiling", 1.0),
            _ratio_target(ops, "rest_list", "/rest/v1 list ≥ 1.0× ceiling", 1.0),
            _ratio_target(ops, "create", "create ≥ 0.75× ceiling", 0.75),
            _ratio_target(ops, "rest_create", "/rest/v1 create (representation) ≥ 0.75× ceiling",
                          0.75),
            _ratio_target(ops, "patch", "PATCH ≥ 0.75× ceiling", 0.75),
            _ratio_target(ops, "rest_patch", "/rest/v1 PATCH by id ≥ 0.75× ceiling", 0.75)]
    if "get_signed_in" in ops:  # measured since issue 18's fifteenth round
        rows.insert(1, _ratio_target(ops, "get_signed_in",
                                     "get by id, signed in, ≥ 1.0× ceiling", 1.0))
    tails = [(op, e) for op in ops if op != "list_unindexed"
             if (e := _live(ops, op, "objectry")) is not None]
    worst = max(tails, key=lambda t: t[1]["p99_ms"] / t[1]["p50_ms"], default=None)
    if worst is not None:
        ratio = worst[1]["p99_ms"] / worst[1]["p50_ms"]
        rows.append(("p99 ≤ 3× p50 (every operation but the unindexed scan)",
                     f"worst {ratio:.1f}× ({worst[0]})", "met" if ratio <= 3 else "missed"))
    listed = _live(ops, "list_indexed", "objectry")
    if listed is None:
        rows.append(("indexed list p50 < 10 ms at 1M records", "endpoint pending", "pending"))
    else:
        verdict = ("met" if listed["p50_ms"] < 10 else "missed") if records >= 1_000_000 \
            else "n/a (measured at 1M)"
        rows.append(("indexed list p50 < 10 ms at 1M records",
                     f"p50 {listed['p50_ms']:.2f} ms at {records:,}", verdict))
    plain, embed = _live(ops, "rest_list", "objectry"), _live(ops, "rest_embed", "objectry")
    if plain and embed:
        ratio = embed["p50_ms"] / plain["p50_ms"]
        rows.append(("embedded list ≤ 1.3× latency of the plain list",
                     f"{ratio:.2f}× (p50 {embed['p50_ms']:.2f} vs {plain['p50_ms']:.2f} ms)",
                     "met" if ratio <= 1.3 else "missed"))
    else:
        rows.append(("embedded list ≤ 1.3× latency of the plain list", "/rest/v1 pending",
                     "pending"))
    rows += _bulk(result.get("bulk", {}))
    rows += _meta(result.get("meta"))
    return rows


def _bulk(bulk: dict[str, Any]) -> list[Row]:
    if not bulk:
        return [("bulk ≥ 0.7× COPY", "not measured", "pending")]
    rate, copy = bulk["objectry_rps"], bulk["copy_rps"]
    return [("bulk ≥ 0.7× COPY", f"{rate / copy:.2f}× ({rate:,.0f} validated records/s; "
             f"{copy:,.0f} by COPY)", "met" if rate / copy >= 0.7 else "missed")]


def _meta(meta: dict[str, Any] | None) -> list[Row]:
    label = "1,000 objects within 10% of 1 object"
    if not meta:
        return [(label, "not measured", "pending")]
    label = f"{meta['grow']['objects'] + 2:,} objects within 10% of 1 object"
    parts, worst = [], None
    for op, entry in meta["ops"].items():
        base, big = _live(meta["base"], op, "objectry"), entry.get("objectry")
        if not base or not big or "pending" in big:
            continue
        ratio = big["rps"] / base["rps"]
        parts.append(f"{op} {ratio:.2f}×")
        worst = ratio if worst is None else min(worst, ratio)
    if worst is None:
        return [(label, "endpoints pending", "pending")]
    return [(label, ", ".join(parts) + " of req/s", "met" if worst >= 0.9 else "missed")]
