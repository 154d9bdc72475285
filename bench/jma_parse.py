"""JMA XML parser (official warnings issue, items 1–2): telegrams per second and peak memory over the 546 samples.

The reference measured in the same run is a plain `xml.etree.ElementTree.parse` of the same bytes: the parser
cannot be faster than building the tree it reads, so "overhead" (parser time / reference time) is what the
parser's own work costs, whatever the machine. All files are read into memory first; no disk I/O is timed.

    .venv/bin/python bench/jma_parse.py [--rounds 5] [--samples /work/shared/data/jma/samples]

Memory: tracemalloc's peak of one round of each row (measured in an extra, untimed pass because tracing slows
Python down), the peak of the largest telegram alone, and the process's ru_maxrss at the end.
"""

import argparse
import gc
import json
import resource
import statistics
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from _common import REPO, BenchError, format_table, machine_info, run_main, write_results

if str(REPO) not in sys.path:  # standalone runs (python bench/jma_parse.py) import the project too
    sys.path.insert(0, str(REPO))

from toki.alerts.jma import concerns, load_profile_codes, parse_telegram

NAME = "jma_parse"
DEFAULT_SAMPLES = REPO.parent / "shared" / "data" / "jma" / "samples"
SADO_PROFILE = REPO / "profiles" / "sado.json"


def load_samples(directory: Path) -> list[tuple[str, bytes]]:
    files = sorted(directory.glob("*.xml"))
    if not files:
        raise BenchError(f"no JMA sample telegrams (*.xml) in {directory}; pass --samples DIR")
    return [(path.name, path.read_bytes()) for path in files]


def make_rows(profile_codes: dict) -> list[tuple[str, Callable[[str, bytes], object]]]:
    def reference(name: str, data: bytes) -> object:
        return ET.parse(BytesIO(data))  # noqa: S314 - trusted local samples; this is the baseline being timed

    def parse(name: str, data: bytes) -> object:
        return parse_telegram(data, source_name=name)

    def parse_relevance_json(name: str, data: bytes) -> object:
        telegram = parse_telegram(data, source_name=name)
        return concerns(telegram, profile_codes), json.dumps(telegram.to_dict(), ensure_ascii=False)

    return [
        ("ElementTree.parse (reference)", reference),
        ("parse_telegram", parse),
        ("parse_telegram + concerns + to_dict JSON", parse_relevance_json),
    ]


def one_round(work: Callable[[str, bytes], object], samples: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    for name, data in samples:
        work(name, data)
    return time.perf_counter() - started


def traced_peak(work: Callable[[str, bytes], object], samples: list[tuple[str, bytes]]) -> int:
    """Peak bytes allocated while running the work over the samples (results are dropped as they come)."""
    gc.collect()
    tracemalloc.start()
    try:
        for name, data in samples:
            work(name, data)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(rows: list[tuple[str, Callable]], samples: list[tuple[str, bytes]], rounds: int) -> list[dict]:
    """Time every row over all samples, rows interleaved within each round so machine noise hits them alike."""
    for _, work in rows:
        one_round(work, samples)  # warm-up: imports, caches
    times: dict[str, list[float]] = {label: [] for label, _ in rows}
    for _ in range(rounds):
        for label, work in rows:
            times[label].append(one_round(work, samples))
    largest = max(samples, key=lambda sample: len(sample[1]))
    return [
        {
            "row": label,
            "round_seconds": [round(seconds, 4) for seconds in times[label]],
            "best_seconds": round(min(times[label]), 4),
            "median_seconds": round(statistics.median(times[label]), 4),
            "telegrams_per_second_best": round(len(samples) / min(times[label]), 1),
            "telegrams_per_second_median": round(len(samples) / statistics.median(times[label]), 1),
            "tracemalloc_peak_round_mib": round(traced_peak(work, samples) / 2**20, 2),
            "tracemalloc_peak_largest_mib": round(traced_peak(work, [largest]) / 2**20, 2),
        }
        for label, work in rows
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds over all samples (default 5)")
    parser.add_argument("--samples", type=Path, default=DEFAULT_SAMPLES, help="directory of sample telegrams")
    args = parser.parse_args()
    if args.rounds < 1:
        raise BenchError("--rounds must be at least 1")

    samples = load_samples(args.samples)
    total_bytes = sum(len(data) for _, data in samples)
    largest_name, largest_data = max(samples, key=lambda sample: len(sample[1]))
    results = measure(make_rows(load_profile_codes(SADO_PROFILE)), samples, args.rounds)
    reference = results[0]["round_seconds"]
    for row in results:
        # Rounds are interleaved, so each round's ratio compares runs made under the same machine load.
        ratios = [seconds / ref for seconds, ref in zip(row["round_seconds"], reference, strict=True)]
        row["overhead_vs_reference"] = round(statistics.median(ratios), 2)
    max_rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB

    print(f"{len(samples)} telegrams, {total_bytes / 2**20:.1f} MiB, {args.rounds} rounds; "
          f"largest {largest_name} ({len(largest_data) / 2**20:.1f} MiB)")
    columns = ["row", "telegrams/s (median)", "best", "× reference (median of rounds)", "tracemalloc peak/round MiB",
               "peak largest MiB"]
    print(format_table(columns, [
        [row["row"], row["telegrams_per_second_median"], row["telegrams_per_second_best"],
         row["overhead_vs_reference"], row["tracemalloc_peak_round_mib"], row["tracemalloc_peak_largest_mib"]]
        for row in results
    ]))
    print(f"process ru_maxrss: {max_rss_mib:.1f} MiB (includes the {total_bytes / 2**20:.1f} MiB of samples held)")

    data = {
        "benchmark": NAME,
        "machine": machine_info(),
        "parameters": {"rounds": args.rounds, "samples": len(samples), "sample_bytes": total_bytes,
                       "largest_sample": largest_name, "largest_sample_bytes": len(largest_data)},
        "rows": results,
        "ru_maxrss_mib": round(max_rss_mib, 1),
    }
    print(f"results: {write_results(NAME, data).relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    run_main(main)
