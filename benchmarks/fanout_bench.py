"""Fan-out benchmark: one bulk download over 4 worker processes against 1, same connections each.

    python benchmarks/fanout_bench.py [--files 8] [--size-mib 32] [--rate 4m] [--connections 4]
                                      [--engine pool|dask]

nginx on 127.0.0.1 serves the files with ``limit_rate`` per connection (a stand-in for an object
store's per-stream bandwidth). ``download_products(items, executor=...)`` fetches them into a
temporary folder: once with an executor of 1 worker process, once with 4, each process allowed
``--connections`` connections (a file of 16 MiB or more is split into 8 MiB byte ranges
over them). The executor is
started and warmed before the clock starts. Printed: seconds and MiB/s of each, the scaling, and
the caller's peak memory (``ru_maxrss`` of this process, and tracemalloc's peak of the call).
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nginx  # the helper module beside this script

from capella import CapellaConsoleClient

MiB = 1 << 20


def warm(_: int) -> int:
    """Import the download code in a worker (so that the timed run does not)."""
    import capella.download.fanout  # noqa: F401

    time.sleep(0.2)  # long enough for every worker of the pool to take one
    return 0


@contextmanager
def executor(engine: str, workers: int) -> Iterator[Executor]:
    """A warmed executor of ``workers`` single-threaded processes."""
    if engine == "dask":
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=workers,
                processes=True,
                threads_per_worker=1,
                dashboard_address=None,
                host="127.0.0.1",
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(warm, 0)
            yield client.get_executor()
        return
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=spawn) as pool:
        list(pool.map(warm, range(workers)))
        yield pool


def items_of(url: str, names: list[str]) -> list[dict[str, Any]]:
    """One product per file, its one asset behind the throttled location."""
    return [
        {"id": f"BENCH_{i:03d}", "assets": {"HH": {"href": f"{url}/slow/{name}"}}}
        for i, name in enumerate(names)
    ]


def timed(args: argparse.Namespace, url: str, names: list[str], workers: int) -> float:
    """Seconds of one fanned-out call over ``workers`` processes (output removed first)."""
    client = CapellaConsoleClient(
        api_key="bench",
        no_token_check=True,
        base_url=url,
        download_connections=args.connections,
        segment_threshold=MiB,
    )
    target = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    try:
        with executor(args.engine, workers) as pool:
            started = time.perf_counter()
            paths = client.download_products(items_of(url, names), local_dir=target, executor=pool)
            seconds = time.perf_counter() - started
        assert sum(len(v) for v in paths.values()) == len(names)
        return seconds
    finally:
        shutil.rmtree(target, ignore_errors=True)
        client.close()


def main() -> None:
    """Run the comparison and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--size-mib", type=int, default=32)
    parser.add_argument("--rate", default="4m", help="nginx limit_rate per connection")
    parser.add_argument("--connections", type=int, default=4, help="per process")
    parser.add_argument("--engine", choices=("pool", "dask"), default="pool")
    args = parser.parse_args()
    nginx.ensure_tools()
    root = Path(tempfile.mkdtemp(prefix="bench-fanout-src-"))
    names = [f"asset_{i:03d}.tif" for i in range(args.files)]
    for name in names:
        nginx.make_file(root / name, args.size_mib * MiB)
    total = args.files * args.size_mib
    print(
        f"{args.files} files x {args.size_mib} MiB, limit_rate {args.rate} per connection, "
        f"{args.connections} connections per process, engine {args.engine}"
    )
    try:
        with nginx.nginx(root, rate=args.rate) as url:
            tracemalloc.start()
            one = timed(args, url, names, 1)
            four = timed(args, url, names, 4)
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"1 process : {one:7.2f} s  {total / one:7.2f} MiB/s")
    print(f"4 processes: {four:7.2f} s  {total / four:7.2f} MiB/s")
    print(f"scaling   : {one / four:.2f}x (target >= 3x)")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"caller peak RSS {maxrss / 1024:.1f} MiB; tracemalloc peak {traced_peak / MiB:.2f} MiB")


if __name__ == "__main__":
    main()
