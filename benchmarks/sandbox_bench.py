"""Sandbox asset host benchmark: ``curl`` throughput of a 1 GiB presigned raster (issue #3).

Starts ``python -m capella.sandbox --port 0 --raster-size 1073741824`` in a subprocess (its URL is
on the first line it prints), orders one product with plain httpx and the demo API key, then
times ``curl -s -o /dev/null`` of the product's data raster: three runs, the median in MB/s
(10^6 bytes per second) against the target of 500 MB/s. Stops the sandbox at the end.

Usage: ``python benchmarks/sandbox_bench.py [--runs N] [--size BYTES]``
"""

from __future__ import annotations

import argparse
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capella.sandbox import DEMO_API_KEY  # noqa: E402

GiB = 1 << 30
TARGET_MB_S = 500.0
_START_TIMEOUT = 120.0


@contextmanager
def sandbox(raster_size: int) -> Iterator[str]:
    """Run the sandbox in a subprocess; yield its base URL; stop it (SIGTERM) on exit."""
    argv = [sys.executable, "-m", "capella.sandbox", "--port", "0"]
    argv += ["--raster-size", str(raster_size)]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        # The first line is "Capella sandbox running at http://127.0.0.1:PORT (seed 0)"; it
        # comes once the catalog is built and the socket listens.
        first = process.stdout.readline()
        found = re.search(r"https?://\S+", first)
        if found is None:
            raise SystemExit(f"the sandbox did not print its URL (got {first!r})")
        yield found.group(0)
    finally:
        process.send_signal(signal.SIGTERM)  # the sandbox stops cleanly on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def raster_href(url: str) -> tuple[str, int]:
    """Order one purchasable product; return its data raster's presigned URL and size."""
    headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
    with httpx.Client(base_url=url, headers=headers, timeout=60) as api:
        body = {"limit": 1, "ownership": "availableForPurchase"}
        feature = api.post("/catalog/search", json=body).raise_for_status().json()["features"][0]
        item = {"collectionId": feature["collection"], "granuleId": feature["id"]}
        order = api.post("/orders", json={"items": [item]}).raise_for_status().json()
        listing = api.get(f"/orders/{order['orderId']}/download").raise_for_status().json()
    href = next(a["href"] for a in listing[0]["assets"].values() if "data" in a.get("roles", []))
    # The presigned URL needs no credentials: check its size as curl will see it.
    size = int(httpx.head(href, timeout=60).raise_for_status().headers["content-length"])
    return str(href), size


def curl_once(href: str, size: int) -> float:
    """Seconds for ``curl -s -o /dev/null`` to fetch ``href``, timed from outside curl."""
    argv = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", href]
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    status, received = done.stdout.split()
    if status != "200" or int(received) != size:
        raise SystemExit(f"curl got HTTP {status} and {received} bytes, expected 200 and {size}")
    return seconds


def main() -> None:
    """Run the benchmark and print the curl throughput against the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=GiB, help="raster size in bytes")
    args = parser.parse_args()
    if shutil.which("curl") is None:
        raise SystemExit("curl is not installed (apt-get install -y curl)")

    with sandbox(args.size) as url:
        href, size = raster_href(url)
        runs = f"{args.runs} runs"
        print(
            f"sandbox {url}: curl -s -o /dev/null of a {size / GiB:.2f} GiB raster, {runs}",
            flush=True,
        )
        rates = []
        for run in range(1, args.runs + 1):
            seconds = curl_once(href, size)
            rates.append(size / seconds / 1e6)
            print(f"  run {run}: {seconds:6.2f} s  {rates[-1]:7.0f} MB/s", flush=True)
    median = statistics.median(rates)
    verdict = "ok" if median >= TARGET_MB_S else "MISSED"
    print(
        f"curl throughput: {median:.0f} MB/s median (target >= {TARGET_MB_S:.0f} MB/s)  {verdict}"
    )


if __name__ == "__main__":
    main()
