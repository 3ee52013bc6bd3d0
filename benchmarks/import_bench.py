"""Import cost: ``import capella`` against ``import httpx``, each in fresh interpreters.

Alternates the two so that load drift hits both alike, and times CPU (``process_time``), which
other processes on a shared machine disturb less than wall time. ``import capella`` includes
``import httpx``; the figure that matters is the difference.

Usage: ``python benchmarks/import_bench.py [--runs N]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = "import time; t = time.process_time(); import {}; print((time.process_time() - t) * 1000)"


def cost(module: str) -> float:
    """Milliseconds of CPU one fresh interpreter spends importing ``module``."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'generated'}"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return float(done.stdout)


def main() -> None:
    """Print min and median import times and their difference."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times: dict[str, list[float]] = {"httpx": [], "capella": []}
    for _ in range(args.runs):
        for module, runs in times.items():
            runs.append(cost(module))
    for module, runs in times.items():
        print(
            f"import {module:<8} min {min(runs):6.1f} ms  median {statistics.median(runs):6.1f} ms"
        )
    extra_min = min(times["capella"]) - min(times["httpx"])
    extra_median = statistics.median(times["capella"]) - statistics.median(times["httpx"])
    print(f"capella on top of httpx: {extra_min:+.1f} ms (min), {extra_median:+.1f} ms (median)")


if __name__ == "__main__":
    main()
