"""Catalog search benchmark: ours against the reference SDK, and our parse cost against json.loads.

A 9,999-item search against the sandbox (started here, in-process, with 100 ms added to every
request), sequential and threaded, with ``capella`` and with the reference SDK
(``capella-console-client``, installed into ``.bench/refvenv`` on first use). Both clients run in
their own subprocess under the same conditions (the sandbox keeps this process's GIL to itself)
and time only the ``search`` call. Then the CPU cost of turning the same pages into a
``StacSearchResult`` against plain ``json.loads`` of their bytes.

Usage: ``python benchmarks/search_bench.py [--repeats N] [--limit N] [--latency S]``
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import subprocess
import sys
import time
import venv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capella.pagination import plan_pages  # noqa: E402
from capella.results import StacSearchResult  # noqa: E402
from capella.sandbox import DEMO_API_KEY, Sandbox  # noqa: E402

REFVENV = ROOT / ".bench" / "refvenv"

# Runs in a subprocess: build the client, then time only the searches (wall and CPU).
CHILD = """
import json, logging, resource, sys, time
impl, url, key, limit, threaded, repeats = sys.argv[1:7]
logging.disable(logging.WARNING)
options = {}
if impl.startswith("capella"):
    from capella import CapellaConsoleClient
    options = {"gc_pause": impl == "capella"}  # "capella-gc-off": the collector left alone
else:
    from capella_console_client import CapellaConsoleClient
# Constructed as users do (the key is checked with GET /user): one-time imports and the
# connection are set up before the clock starts, for both clients alike.
client = CapellaConsoleClient(api_key=key, base_url=url, **options)
runs = []
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
    return usage.ru_utime + usage.ru_stime
for _ in range(int(repeats)):
    cpu_started, started = cpu(), time.perf_counter()
    result = client.search(limit=int(limit), threaded=threaded == "1")
    elapsed, cpu_used = time.perf_counter() - started, cpu() - cpu_started
    ids = [item["id"] for item in result]
    runs.append(
        {"seconds": elapsed, "cpu": cpu_used, "items": len(ids), "unique": len(set(ids))}
    )
print(json.dumps(runs))
"""


def ensure_reference_venv() -> Path:
    """Create ``.bench/refvenv`` with the reference SDK if missing; return its python."""
    python = REFVENV / "bin" / "python"
    probe = [str(python), "-c", "import capella_console_client"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    print(f"creating {REFVENV} with capella-console-client ...", flush=True)
    venv.create(REFVENV, with_pip=True, clear=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "capella-console-client"], check=True)
    return python


def reference_version(python: Path) -> str:
    """The installed reference SDK version."""
    code = "import importlib.metadata as m; print(m.version('capella-console-client'))"
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def run_search(
    python: Path, impl: str, url: str, limit: int, threaded: bool, repeats: int
) -> list[dict[str, Any]]:
    """Run the timed searches in a subprocess and return its runs."""
    argv = [str(python), "-c", CHILD, impl, url, DEMO_API_KEY, str(limit), str(int(threaded))]
    done = subprocess.run(
        [*argv, str(repeats)], capture_output=True, text=True, cwd=ROOT, timeout=900
    )
    if done.returncode != 0:
        raise SystemExit(f"{impl} search failed:\n{done.stderr}")
    runs: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return runs


def fetch_pages(url: str, limit: int) -> list[bytes]:
    """The raw bytes of the pages our search reads for ``limit`` items."""
    headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
    with httpx.Client(headers=headers, timeout=120) as client:
        return [
            client.post(f"{url}/catalog/search", json={"limit": p.size, "page": p.page}).content
            for p in plan_pages(limit, min(900, limit))
        ]


def raw_parallel_floor(url: str, limit: int, repeats: int) -> float:
    """Median seconds to fetch the threaded search's requests with plain httpx, unparsed.

    The probe, then the pages on eight threads: no client can be faster than this.
    """
    headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
    bodies = [{"limit": p.size, "page": p.page} for p in plan_pages(limit, min(900, limit))]
    times = []
    with httpx.Client(headers=headers, timeout=120) as client:

        def post(body: dict[str, Any]) -> bytes:
            return client.post(f"{url}/catalog/search", json=body).content

        for _ in range(repeats):
            started = time.perf_counter()
            post({"limit": 1})
            with ThreadPoolExecutor(max_workers=8) as pool:
                list(pool.map(post, bodies))
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def timed(work: Any) -> float:
    """Seconds one call of ``work`` takes; what it returns is freed after the clock stops."""
    gc.collect()
    gc.disable()  # a collection pass would land on whichever side happens to trigger it
    started = time.perf_counter()
    kept = work()
    elapsed = time.perf_counter() - started
    gc.enable()
    del kept
    return elapsed


def parse_cost(pages: list[bytes], limit: int, repeats: int) -> tuple[float, float]:
    """Best seconds to json.loads the pages, and to build a StacSearchResult from them.

    Both keep what they parsed (a search returns it), and both are timed without freeing it.
    """

    def plain() -> list[Any]:
        return [json.loads(raw) for raw in pages]

    def ours() -> StacSearchResult:
        result = StacSearchResult(request_body={"limit": limit})
        for raw in pages:
            result.add(json.loads(raw))
        result._truncate(limit)
        return result

    plain_s = ours_s = float("inf")
    for _ in range(repeats):  # interleaved, so that drift hits both alike
        plain_s = min(plain_s, timed(plain))
        ours_s = min(ours_s, timed(ours))
    return plain_s, ours_s


def summary(runs: list[dict[str, Any]]) -> str:
    """``median s (best s), client CPU, items returned (and duplicates) over the runs``."""
    seconds = [r["seconds"] for r in runs]
    items = "/".join(str(n) for n in sorted({r["items"] for r in runs}))
    dupes = max(r["items"] - r["unique"] for r in runs)
    cpu = statistics.median(r["cpu"] for r in runs)
    return (
        f"{statistics.median(seconds):6.2f} s median ({min(seconds):.2f} s best), "
        f"client CPU {cpu:.2f} s, {items} items" + (f", {dupes} duplicates" if dupes else "")
    )


def main() -> None:
    """Run the benchmark and print the figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--limit", type=int, default=9999)
    parser.add_argument("--latency", type=float, default=0.1)
    args = parser.parse_args()

    reference_python = ensure_reference_venv()
    version = reference_version(reference_python)
    with Sandbox(latency=args.latency) as sandbox:
        print(
            f"catalog search of {args.limit} items, sandbox {sandbox.url} with "
            f"{args.latency * 1000:.0f} ms per request; reference SDK {version}; "
            f"{args.repeats} runs each",
            flush=True,
        )
        # Untimed: the sandbox encodes each item's JSON on first use; no client should pay that.
        fetch_pages(sandbox.url, args.limit)
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        clients = (
            ("capella", Path(sys.executable)),
            ("capella-gc-off", Path(sys.executable)),
            ("reference", reference_python),
        )
        for _ in range(args.repeats):  # interleaved, so that load drift hits both alike
            for mode, threaded in (("sequential", False), ("threaded", True)):
                for impl, python in clients:
                    run = run_search(python, impl, sandbox.url, args.limit, threaded, 1)
                    runs.setdefault((impl, mode), []).extend(run)
        median = {
            key: statistics.median(r["seconds"] for r in value) for key, value in runs.items()
        }
        for mode in ("sequential", "threaded"):
            for impl, _ in clients:
                print(f"  {impl:<14} {mode:<10} {summary(runs[impl, mode])}", flush=True)
        floor = raw_parallel_floor(sandbox.url, args.limit, args.repeats)
        print(f"  plain httpx, probe then pages on 8 threads, unparsed: {floor:6.2f} s median")
        pages = fetch_pages(sandbox.url, args.limit)

    plain_s, ours_s = parse_cost(pages, args.limit, repeats=5)
    megabytes = sum(len(p) for p in pages) / 1e6
    print(f"  parse of {len(pages)} pages ({megabytes:.1f} MB):")
    print(f"    json.loads            {plain_s * 1000:7.1f} ms")
    print(f"    StacSearchResult      {ours_s * 1000:7.1f} ms")

    checks = [
        (
            "sequential: ours / reference",
            median["capella", "sequential"] / median["reference", "sequential"],
            1.0,
        ),
        (
            "threaded: ours / reference",
            median["capella", "threaded"] / median["reference", "threaded"],
            1.0,
        ),
        (
            "ours threaded / reference sequential",
            median["capella", "threaded"] / median["reference", "sequential"],
            0.3,
        ),
        ("parse: ours / json.loads", ours_s / plain_s, 1.2),
    ]
    off = [
        (
            f"gc_pause off, {mode}: ours / reference sequential",
            median["capella-gc-off", mode] / median["reference", "sequential"],
        )
        for mode in ("sequential", "threaded")
    ]
    print("ratios (target):")
    for name, ratio, target in checks:
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"  {name:<38} {ratio:5.2f}  (<= {target})  {verdict}")
    print("with gc_pause=False (no target):")
    for name, ratio in off:
        print(f"  {name:<50} {ratio:5.2f}")


if __name__ == "__main__":
    main()
