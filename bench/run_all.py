"""Run every benchmark in bench/ (`make bench`): each `bench/*.py` except this file and the `_` helper modules.

Each benchmark prints its own table and writes bench/results/<name>.json; this runner passes their output
through, then prints a summary and exits non-zero if any benchmark failed, measured errors, or was skipped
because a tool is missing (see bench/_common.py for the exit codes).

    .venv/bin/python bench/run_all.py              # all of them
    .venv/bin/python bench/run_all.py home_page    # only those named
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _common import EXIT_MISSING_TOOL, REPO, format_table

BENCH_DIR = Path(__file__).resolve().parent
TIMEOUT_S = 15 * 60  # per benchmark: a hung one fails instead of blocking `make bench` forever


def discover() -> list[Path]:
    return sorted(p for p in BENCH_DIR.glob("*.py") if not p.name.startswith("_") and p.name != Path(__file__).name)


def run_one(script: Path) -> tuple[str, float]:
    env = dict(os.environ)
    # Benchmarks may import the project (toki.*) as well as bench/_common.py.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    started = time.monotonic()
    try:
        # Its own session, so a last-resort SIGKILL reaches the benchmark and its tools, and nothing else.
        proc = subprocess.Popen([sys.executable, str(script)], cwd=REPO, env=env, start_new_session=True)
        try:
            code = proc.wait(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.terminate()  # SIGTERM: the benchmark stops the servers it started (see _common.run_main)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            return f"FAILED: no result within {TIMEOUT_S} s", time.monotonic() - started
        except KeyboardInterrupt:
            proc.wait()  # the benchmark got the Ctrl-C too and stops its servers
            raise
    except OSError as exc:
        return f"FAILED: {exc}", time.monotonic() - started
    if code == 0:
        status = "ok"
    elif code == EXIT_MISSING_TOOL:
        status = "SKIPPED: a tool is missing (see above)"
    else:
        status = f"FAILED (exit {code})"
    return status, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description="Run Toki's benchmarks.")
    parser.add_argument("names", nargs="*", help="benchmarks to run (file names without .py); default: all")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # our lines and the benchmarks' output stay in order
    scripts = discover()
    if args.list:
        print("\n".join(p.stem for p in scripts))
        return 0
    if args.names:
        unknown = set(args.names) - {p.stem for p in scripts}
        if unknown:
            print(f"unknown benchmark(s): {', '.join(sorted(unknown))}; have: {', '.join(p.stem for p in scripts)}")
            return 2
        scripts = [p for p in scripts if p.stem in args.names]
    if not scripts:
        print("no benchmarks found in bench/")
        return 1
    summary = []
    for script in scripts:
        print(f"\n=== {script.stem} " + "=" * max(0, 100 - len(script.stem)), flush=True)
        status, elapsed = run_one(script)
        summary.append([script.stem, status, f"{elapsed:.0f}"])
    print("\n=== summary\n" + format_table(["benchmark", "status", "seconds"], summary))
    failed = [row[0] for row in summary if row[1] != "ok"]
    if failed:
        print(f"\n{len(failed)} of {len(summary)} benchmark(s) did not pass: {', '.join(failed)}")
        return 1
    print(f"\nall {len(summary)} benchmark(s) passed; results in bench/results/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
