"""Toki's DARP solver against best-known costs and OR-Tools on the 48 Cordeau a/b instances (issue 19).

For every instance, in the same run: `python -m toki.transport.darp.solve FILE --seconds S` (Toki's ALNS; its JSON
carries the independent checker's verdict) and bench/darp_ortools.py (the side-constraint OR-Tools model of
reference/mobility.md, in var/ortools-venv), whose routes the same independent checker (toki.transport.darp_check)
judges here. Both get the same budget of CPU seconds of their own process (the machine is shared, so wall-clock
budgets would measure the neighbours); each runs in its own process, one thread; with --jobs 2 the two solvers of
an instance run side by side. A gap (cost / BKS - 1) is counted only for a solution the checker finds feasible and
complete; groups follow mobility.md: up to 32 requests, 36-60, 64-96.

    .venv/bin/python bench/darp.py                         # all 48, 10 s each
    .venv/bin/python bench/darp.py --seconds 60 --only a8-96 b8-96 a5-60
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import REPO, RESULTS_DIR, format_table

sys.path.insert(0, str(REPO))
from toki.transport.darp_check import check, read_instance

DATA = REPO.parent / "shared" / "darp" / "cordeau2006"
BKS = REPO.parent / "shared" / "reference" / "darp_bks_ab.csv"
ORTOOLS_VENV = REPO / "var" / "ortools-venv"
ORTOOLS_REQ = REPO / "bench" / "requirements-ortools.txt"
GROUPS = (("<= 32 requests", 0, 32), ("36-60 requests", 33, 60), ("64-96 requests", 61, 10**6))


def ortools_python() -> Path:
    """The comparator's own environment (ortools pins protobuf 6, the project needs 7): made on first use."""
    py = ORTOOLS_VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {ORTOOLS_VENV} with {ORTOOLS_REQ.name} (once)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ORTOOLS_VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "-r", str(ORTOOLS_REQ)], check=True)
    return py


def run_json(cmd: list[str]) -> dict:
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 1) or not proc.stdout.strip():
        return {"error": (proc.stderr or proc.stdout).strip()[-500:]}
    return json.loads(proc.stdout)


def run_toki(path: Path, seconds: float, seed: int) -> dict:
    started = time.perf_counter()
    out = run_json(
        [sys.executable, "-m", "toki.transport.darp.solve", str(path), "--seconds", str(seconds), "--seed", str(seed)]
    )
    out["wall_seconds"] = round(time.perf_counter() - started, 3)
    return out


def run_ortools(path: Path, seconds: float) -> dict:
    out = run_json(
        [str(ortools_python()), str(REPO / "bench" / "darp_ortools.py"), str(path), "--seconds", str(seconds)]
    )
    if "routes" in out:
        verdict = check(read_instance(path.read_text(encoding="utf-8")), out["routes"])
        out["check"] = verdict.as_dict()
        out["cost"] = verdict.cost
        out["served"] = verdict.served
    return out


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:6.2f} %"


def gap(result: dict, bks: float) -> float | None:
    verdict = result.get("check")
    if not verdict or not verdict["feasible"] or not verdict["complete"]:
        return None
    return (verdict["cost"] / bks - 1) * 100


def summarise(rows: list[dict], solver: str) -> list[list[str]]:
    out = []
    for label, low, high in GROUPS:
        group = [r for r in rows if low <= r["requests"] <= high]
        if not group:
            continue
        gaps = [r[solver]["gap"] for r in group if r[solver]["gap"] is not None]
        incomplete = sum(1 for r in group if r[solver]["gap"] is None)
        infeasible = sum(1 for r in group if not r[solver].get("check", {}).get("feasible", False))
        hits = sum(1 for g in gaps if g < 0.005)
        mean = f"{sum(gaps) / len(gaps):.2f} %" if gaps else "-"
        worst = f"{max(gaps):.2f} %" if gaps else "-"
        out.append([solver, label, str(len(group)), mean, worst, str(hits), str(incomplete), str(infeasible)])
    return out


def report(rows: list[dict], with_ortools: bool) -> list[list[str]]:
    """Print the per-group table and the overall mean gap; return the table."""
    table = summarise(rows, "toki") + (summarise(rows, "ortools") if with_ortools else [])
    header = ["solver", "group", "instances", "mean gap", "max gap", "optimum hit", "incomplete", "infeasible"]
    print(format_table(header, table))
    for solver in ("toki", "ortools") if with_ortools else ("toki",):
        gaps = [r[solver]["gap"] for r in rows]
        done = [g for g in gaps if g is not None]
        mean = sum(done) / max(1, len(done))
        print(f"{solver} mean gap over {len(done)} of {len(rows)}: {mean:.2f} % ({len(rows) - len(done)} not counted)")
    return table


def combine(paths: list[Path]) -> int:
    """One table from the rows of several runs (e.g. the a and b sets run at once), first row per instance wins."""
    rows: dict[str, dict] = {}
    summaries = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        summaries.append({"file": path.name, **data["summary"]})
        for row in data["rows"]:
            rows.setdefault(row["instance"], row)
    ordered = sorted(rows.values(), key=lambda r: (r["instance"][0], r["requests"], r["instance"]))
    table = report(ordered, True)
    out = RESULTS_DIR / "darp.json"
    out.write_text(json.dumps({"summary": {"combined": summaries}, "groups": table, "rows": ordered}, indent=1))
    print(f"wrote {out.relative_to(REPO)} ({len(ordered)} instances)")
    return 0 if all(r["toki"].get("check", {}).get("feasible") for r in ordered) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="CPU seconds per solver and instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="instance names (default: all 48)")
    parser.add_argument("--jobs", type=int, choices=(1, 2, 4), default=2, help="solver processes at once")
    parser.add_argument("--no-ortools", action="store_true")
    parser.add_argument("--out", type=Path, help="result file (default bench/results/darp[_<s>s][_subset].json)")
    parser.add_argument("--combine", nargs="+", type=Path, help="only merge the rows of these result files")
    args = parser.parse_args()
    if args.combine:
        return combine(args.combine)
    with BKS.open() as fh:
        bks = {r["instance"]: float(r["bks_cost"]) for r in csv.DictReader(fh)}
    names = args.only or sorted(bks, key=lambda n: (n[0], int(n[1:].split("-")[0]), int(n.split("-")[1])))
    if not args.no_ortools:
        ortools_python()
    # Compile (or load) the numba kernel once, outside the measured runs.
    run_toki(DATA / "a2-16.txt", 0.2, 0)
    rows: list[dict] = []
    started = time.perf_counter()
    load_start = list(os.getloadavg())
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.seconds == 10 and not args.only else f"_{int(args.seconds)}s" + ("_subset" if args.only else "")
    out = args.out or RESULTS_DIR / f"darp{suffix}.json"
    # Toki and OR-Tools of an instance run side by side (--jobs 2), or two instances at once (--jobs 4); every run
    # is budgeted in CPU seconds of its own process, so running them together does not change what each gets.
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [
            (
                name,
                pool.submit(run_toki, DATA / f"{name}.txt", args.seconds, args.seed),
                None if args.no_ortools else pool.submit(run_ortools, DATA / f"{name}.txt", args.seconds),
            )
            for name in names
        ]
        for name, toki_f, or_f in futures:
            toki = toki_f.result()
            ort = or_f.result() if or_f else {}
            toki.pop("routes", None)
            ort.pop("routes", None)
            toki["gap"], ort["gap"] = gap(toki, bks[name]), gap(ort, bks[name])
            n = int(name.split("-")[1])
            rows.append({"instance": name, "requests": n, "bks": bks[name], "toki": toki, "ortools": ort})
            print(
                f"{name:7} toki {fmt(toki['gap'])} ({toki.get('cpu_seconds', '?')} s cpu, "
                f"check {toki.get('check', {}).get('feasible')})  ortools {fmt(ort.get('gap'))} "
                f"(served {ort.get('served', '-')}/{n}, {ort.get('cpu_seconds', '-')} s cpu)",
                flush=True,
            )
            partial = {"seconds_cpu": args.seconds, "seed": args.seed, "jobs": args.jobs, "done": len(rows)}
            out.write_text(json.dumps({"summary": partial, "rows": rows}, indent=1))
    table = report(rows, not args.no_ortools)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    summary = {
        "seconds_cpu": args.seconds,
        "seed": args.seed,
        "jobs": args.jobs,
        "wall_seconds": round(time.perf_counter() - started),
        "load_average_start_end": [load_start, list(os.getloadavg())],
        "commit": commit.strip(),
    }
    out.write_text(json.dumps({"summary": summary, "groups": table, "rows": rows}, indent=1))
    print(f"wrote {out}")
    clean = all(r["toki"].get("check", {}).get("feasible") for r in rows)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
