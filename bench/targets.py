"""The targets of issue 6, judged from one scale's results: (target, measured, verdict)."""

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
    ops, records = result["ops"], result["records"]
    rows = [_ratio_target(ops, "create", "create ≥ 0.6× ceiling", 0.6),
            _ratio_target(ops, "get", "get by id ≥ 0.8× ceiling", 0.8),
            _ratio_target(ops, "list_indexed", "indexed filtered list ≥ 0.8× ceiling", 0.8)]
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
        rows.append(("embedded list ≤ 1.5× latency of the plain list",
                     f"{ratio:.2f}× (p50 {embed['p50_ms']:.2f} vs {plain['p50_ms']:.2f} ms)",
                     "met" if ratio <= 1.5 else "missed"))
    else:
        rows.append(("embedded list ≤ 1.5× latency of the plain list", "/rest/v1 pending",
                     "pending"))
    rows += _bulk(result.get("bulk", {}))
    rows += _meta(result.get("meta"))
    return rows


def _bulk(bulk: dict[str, Any]) -> list[Row]:
    if not bulk:
        return [("bulk ≥ 25,000 records/s", "not measured", "pending")]
    rate, copy = bulk["objectry_rps"], bulk["copy_rps"]
    return [("bulk ≥ 25,000 validated records/s", f"{rate:,.0f} records/s",
             "met" if rate >= 25_000 else "missed"),
            ("bulk ≥ 0.3× COPY", f"{rate / copy:.2f}× ({copy:,.0f} records/s by COPY)",
             "met" if rate / copy >= 0.3 else "missed")]


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
