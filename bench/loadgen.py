"""Drive one operation with wrk on loopback for a fixed time and read its numbers.

Each run writes a small config file for bench/lua/op.lua (method, URL template, body template,
headers, id files) and parses the one JSON line the script's done() prints.
"""

from __future__ import annotations

import calendar
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench import workload as w

LUA = Path(__file__).with_name("lua") / "op.lua"


@dataclass(frozen=True)
class Op:
    """One operation against one app: a request template (see lua/op.lua placeholders)."""

    name: str
    method: str
    path: str
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors + non-2xx/3xx statuses + timeouts
    generated: int  # requests the script made (≥ requests): how far the PATCH pool moved


@dataclass
class Loadgen:
    workdir: Path
    concurrency: int
    threads: int = 1
    patch_offset: dict[str, int] = field(default_factory=dict)  # per app: next fresh pool id

    def run(self, app: str, base_url: str, op: Op, seconds: float, *, ids: Path,
            pool: Path, tag: str) -> Result:
        offset = self.patch_offset.get(app, 0)
        config = self.workdir / f"{app}-{op.name}.conf"
        lines = [f"method={op.method}", f"path={op.path}", f"body={op.body}",
                 f"ids={ids}", f"pool={pool}", f"offset={offset}",
                 f"threads={self.threads}", f"tag={tag}", f"age_min={w.AGE_MIN}",
                 f"age_max={w.AGE_MAX}", f"days={w.DAYS}",
                 f"first_day={calendar.timegm(w.FIRST_DAY.timetuple())}"]
        lines += [f"header={k}: {v}" for k, v in op.headers.items()]
        config.write_text("\n".join(lines) + "\n")
        command = ["wrk", f"-t{self.threads}", f"-c{self.concurrency}",
                   f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(LUA),
                   base_url, "--", str(config)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60,
                              check=False)
        line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH_JSON ")), None)
        if line is None:
            raise RuntimeError(f"wrk gave no result: {done.stdout[-800:]} {done.stderr[-800:]}")
        raw = json.loads(line.removeprefix("BENCH_JSON "))
        if "{pid}" in op.path:
            self.patch_offset[app] = offset + raw["generated"]
        secs = raw["duration_us"] / 1e6
        return Result(raw["requests"], secs, raw["requests"] / secs, raw["p50_us"] / 1000,
                      raw["p99_us"] / 1000, raw["errors"] + raw["non2xx"] + raw["timeouts"],
                      raw["generated"])
