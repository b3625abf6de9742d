"""Run every benchmark, each in its own process, print the tables; `--readme` publishes them.

python3 bench/run_all.py            # all seven, tables on stdout, results in bench/results/latest.json
python3 bench/run_all.py --readme   # the same, then rewrite README.md's Performance section
python3 bench/run_all.py --only slack_ack memory
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).absolute().parents[1]
BENCHMARKS = (
    "requests_per_publication",
    "scale",
    "reaction",
    "slack_ack",
    "webhook_ingest",
    "memory",
    "storage_engines",
)
TIMEOUT = 420  # seconds per benchmark; the whole run is meant to take under 15 minutes
# Scale runs 1,000 publications through six simulated hours of a full key budget.
TIMEOUTS = {"scale": 1800}


def commit() -> str:
    """The commit measured, with `+changes` when the work tree differs from it."""

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short=10", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!README.md", ":!bench/results")
    return f"{head}+changes" if dirty else head


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--readme", action="store_true", help="rewrite README.md's Performance section")
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.common import Result, machine
    from bench.report import markdown, rewrite

    started = time.perf_counter()
    measured = commit()  # the code being measured, before anything else changes the tree
    results: list[Result] = []
    failed: list[dict[str, str]] = []
    for name in args.only or BENCHMARKS:
        print(f"\n### running bench/{name}.py", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            # Its own process group: on a time-out the servers it started go with it.
            proc = subprocess.Popen(
                [sys.executable, "-m", f"bench.{name}", "--json", str(out)], cwd=ROOT, start_new_session=True
            )
            try:
                code = proc.wait(timeout=TIMEOUTS.get(name, TIMEOUT))
                error = None if code == 0 and out.exists() else f"exit status {code}"
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait()
                error = f"still running after {TIMEOUTS.get(name, TIMEOUT)} s; stopped"
            if error is None:
                results.append(Result.from_dict(json.loads(out.read_text())))
            else:
                failed.append({"name": name, "error": error})
                print(f"bench/{name}.py FAILED: {error}", flush=True)
    run = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": measured,
        "machine": machine(),
        "seconds": time.perf_counter() - started,
        "failed": failed,
        "results": [asdict(r) for r in results],
    }
    saved = ROOT / "bench" / "results" / "latest.json"
    saved.parent.mkdir(exist_ok=True)
    saved.write_text(json.dumps(run, indent=2) + "\n")
    minutes, seconds = divmod(round(run["seconds"]), 60)
    print(f"\nall benchmarks: {minutes} min {seconds} s; results in {saved.relative_to(ROOT)}", flush=True)
    if args.readme:
        if args.only or failed:
            print("README.md not rewritten: it needs a complete run of all six benchmarks", flush=True)
            return 1
        rewrite(ROOT / "README.md", markdown(run, results))
        print("README.md Performance section rewritten from this run", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
