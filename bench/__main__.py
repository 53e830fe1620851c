"""`python -m bench`: the command line of the benchmark suite (see bench/README.md)."""

from __future__ import annotations

import argparse
import shlex
import shutil
import signal
import sys
from pathlib import Path

from bench import report
from bench.runner import Options, finish, run

SMOKE = {"records": 2000, "links": 500, "duration": 1.0, "warmup": 0.0, "runs": 1,
         "meta_objects": 7, "meta_fields": 5, "profile_seconds": 1.0}


def parse(argv: list[str]) -> Options:
    d = Options()
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--smoke", action="store_true",
                   help="seconds, tiny data: keeps the harness from rotting (CI)")
    p.add_argument("--records", type=int, help=f"seeded contacts (default {d.records:,})")
    p.add_argument("--duration", type=float, help=f"seconds per run (default {d.duration:g})")
    p.add_argument("--warmup", type=float, help=f"seconds before the runs ({d.warmup:g})")
    p.add_argument("--concurrency", type=int, default=d.concurrency)
    p.add_argument("--runs", type=int, help=f"runs per operation, median (default {d.runs})")
    p.add_argument("--workers", type=int, default=d.workers, help="per app")
    p.add_argument("--threads", type=int, default=d.threads, help="wrk threads")
    p.add_argument("--bulk-concurrency", type=int, default=d.bulk_concurrency)
    p.add_argument("--links", type=int, help="contacts linked to a company (default: the "
                   "newest min(records, 10k))")
    p.add_argument("--meta-objects", type=int, help=f"workspace size for the metadata-scale "
                   f"test, 0 to skip (default {d.meta_objects})")
    p.add_argument("--meta-fields", type=int, help=f"fields per object ({d.meta_fields})")
    p.add_argument("--profile-seconds", type=float, help="py-spy per profiled op, 0 to skip")
    p.add_argument("--out", type=Path, help="where RESULTS.md, PROFILE.md and results/ go "
                   "(default bench/; with --smoke nothing is written unless given)")
    p.add_argument("--keep", action="store_true", help="keep the temporary data and logs")
    p.add_argument("--report", action="store_true", help="only rebuild RESULTS.md and "
                   "PROFILE.md from <out>/results/*.json and bench/notes.md")
    args = p.parse_args(argv)
    base = {**(SMOKE if args.smoke else {})}
    given = {k: v for k, v in vars(args).items() if v is not None}
    values = {**base, **given}
    values.pop("report", None)
    return Options(**{k: v for k, v in values.items() if k in Options.__dataclass_fields__},
                   command="python -m bench " + shlex.join(argv) if argv
                   else "python -m bench")


def _stop_on_signals() -> None:
    """Ctrl-C and SIGTERM end the run through its clean-up (servers stopped, files removed),
    also when started in the background, where a shell leaves SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.default_int_handler)

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, terminate)


def main(argv: list[str]) -> int:
    _stop_on_signals()
    if "--report" in argv:
        opts = parse(argv)
        report.rebuild(opts.out or report.HERE)
        print(f"rebuilt {(opts.out or report.HERE) / 'RESULTS.md'}")
        return 0
    if shutil.which("wrk") is None:
        print("wrk is needed: apt-get install -y wrk (see bench/README.md)", file=sys.stderr)
        return 2
    opts = parse(argv)
    result = run(opts)
    finish(result, opts)
    if opts.smoke:
        verdict = _smoke_verdict(result)
        from bench import neighbours  # noisy neighbours' smoke too: ~30 s (bench/README.md)

        return max(verdict, neighbours.main(["--smoke"]))
    return 0


def _smoke_verdict(result: dict) -> int:
    """Smoke fails on measured operations that mostly failed (pending endpoints are fine)."""
    bad = [f"{op}/{app}" for op, entry in result["ops"].items()
           for app, r in entry.items()
           if "runs" in r and r["errors"] > 0.01 * max(1, sum(x["requests"] for x in r["runs"]))]
    if bad:
        print(f"smoke: too many errors in {', '.join(bad)}", file=sys.stderr)
        return 1
    print("smoke: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
