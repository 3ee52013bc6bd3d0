"""Download benchmark: our engine against the reference SDK, aria2c and curl, side by side.

    python benchmarks/download_bench.py [--size-mib 1024] [--repeat 3] [--ref-repeat 1]

1. nginx on 127.0.0.1 with ``limit_rate 32m`` per connection (a stand-in for per-stream object
   store bandwidth), 1 GiB: ours (threaded and asyncio drivers) vs the reference's
   ``download_asset`` vs ``aria2c -x8 -s8``.
2. nginx unthrottled, 1 GiB: ours (both drivers) vs ``curl -o`` (and ``curl -o /dev/null``).
3. 400 small assets (metadata + thumbnail of 200 products) from the sandbox with 20 ms latency
   per request: ours (``Downloader.run``) vs the reference's ``download_products``.

Every tool writes into the same temporary folder on the same disk; the previous output is removed
and the page cache flushed (``sync``) before each timed run. Ours and the reference run in their
own subprocesses and time themselves (imports excluded); curl and aria2c are timed from outside.
Peak memory is the subprocess's ``VmHWM`` (its peak RSS: absolute, and the growth during the
run; ``ru_maxrss`` is not used because after fork+exec it still counts the parent's pages).
The reference SDK lives in ``.bench/refvenv`` (created with ``pip install capella-console-client``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nginx  # the helper module beside this script

ROOT = Path(__file__).resolve().parent.parent
REF_VENV = ROOT / ".bench" / "refvenv"
MiB = 1 << 20

OURS = r"""
import asyncio, json, sys, time
from capella.download import Downloader, DownloadJob
from capella.aio import AsyncDownloader
spec = json.loads(sys.stdin.readline())
jobs = [DownloadJob(url, path) for url, path in spec["jobs"]]
def hwm():  # peak RSS of this process image in KiB (ru_maxrss would include the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
def threaded():
    with Downloader(**spec.get("options", {})) as downloader:
        print("ready", flush=True)
        sys.stdin.readline()  # "go": the runner has just cleaned the target
        started = time.perf_counter()
        outcomes = downloader.run(jobs, override=True)
        return outcomes, time.perf_counter() - started
async def on_asyncio():
    async with AsyncDownloader(**spec.get("options", {})) as downloader:
        print("ready", flush=True)
        sys.stdin.readline()
        started = time.perf_counter()
        outcomes = await downloader.run(jobs, override=True)
        return outcomes, time.perf_counter() - started
before = hwm()
outcomes, seconds = asyncio.run(on_asyncio()) if spec.get("async") else threaded()
after = hwm()
failed = [str(o.error) for o in outcomes if o.status == "failed"]
print(json.dumps({"seconds": seconds, "rss": after / 1024, "rss_delta": (after - before) / 1024,
                  "failed": failed}))
"""

REFERENCE_ASSET = r"""
import json, sys, time
from capella_console_client import CapellaConsoleClient
spec = json.loads(sys.stdin.readline())
client = CapellaConsoleClient(no_auth=True)
def hwm():  # peak RSS of this process image in KiB (ru_maxrss would include the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
print("ready", flush=True)
sys.stdin.readline()  # "go": the runner has just cleaned the target
before = hwm()
started = time.perf_counter()
client.download_asset(spec["url"], local_path=spec["path"], override=True)
seconds = time.perf_counter() - started
after = hwm()
print(json.dumps({"seconds": seconds, "rss": after / 1024, "rss_delta": (after - before) / 1024,
                  "failed": []}))
"""

REFERENCE_PRODUCTS = r"""
import json, sys, time
from pathlib import Path
from capella_console_client import CapellaConsoleClient
spec = json.loads(sys.stdin.readline())
items = json.loads(Path(spec["items"]).read_text())
client = CapellaConsoleClient(no_auth=True)
def hwm():  # peak RSS of this process image in KiB (ru_maxrss would include the parent's)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
print("ready", flush=True)
sys.stdin.readline()  # "go": the runner has just cleaned the target
before = hwm()
started = time.perf_counter()
client.download_products(items_presigned=items, local_dir=spec["dir"],
                         include=["metadata", "thumbnail"], threaded=True, override=True)
seconds = time.perf_counter() - started
after = hwm()
print(json.dumps({"seconds": seconds, "rss": after / 1024, "rss_delta": (after - before) / 1024,
                  "failed": []}))
"""


def ensure_reference() -> Path:
    """The reference SDK's interpreter, installing it into .bench/refvenv when missing."""
    python = REF_VENV / "bin" / "python"
    check = [str(python), "-c", "import capella_console_client"]
    if python.exists() and subprocess.run(check, capture_output=True).returncode == 0:
        return python
    print("creating .bench/refvenv with capella-console-client ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(REF_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q"]
    if subprocess.run([*pip, "capella-console-client"]).returncode != 0:
        # 0.20.1 pins a certifi newer than some indexes carry; 0.20.0 has the same downloader.
        subprocess.run([*pip, "capella-console-client==0.20.0"], check=True)
    return python


def run_python(
    python: Path | str, script: str, spec: dict[str, Any], *, prepare: Callable[[], None]
) -> dict[str, Any]:
    """Run a timing snippet in its own interpreter; return its JSON line.

    The snippet starts up and imports first; ``prepare`` (the clean-up) runs only once it is
    ready, so that every tool starts its transfer as soon after the clean-up as curl does.
    """
    env = {**os.environ, "PYTHONPATH": str(ROOT)} if str(python) == sys.executable else None
    proc = subprocess.Popen(
        [str(python), "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(spec) + "\n")
    proc.stdin.flush()
    ready = proc.stdout.readline()
    if ready.strip() == "ready":
        prepare()
        proc.stdin.write("go\n")
        proc.stdin.flush()
    out, err = proc.communicate()
    if proc.returncode != 0 or ready.strip() != "ready":
        raise RuntimeError(f"{python} failed:\n{err[-3000:]}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    if result["failed"]:
        raise RuntimeError(f"downloads failed: {result['failed'][:3]}")
    return result


def run_command(argv: list[str], *, prepare: Callable[[], None]) -> dict[str, Any]:
    """Time an external command (wall clock, process start included)."""
    prepare()
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return {"seconds": time.perf_counter() - started, "rss": None, "rss_delta": None}


def clean(path: Path, settle: float = 0.0, *, mkdir: bool = False) -> None:
    """Remove a previous output (file or folder), flush dirty pages, then wait ``settle`` s.

    Why the wait: on this kind of VM (a balloon device with free-page reporting) memory freed by
    the removal goes back to the host within seconds, and a writer that fills the page cache
    from returned memory pays a host fault per page. So a tool that started at once after the
    removal of the previous output wrote faster than one started later, or after a tool that
    wrote nothing (curl -o /dev/null): curl took 1.46 s (median of 5) 0 s after the clean-up,
    2.26 s 3 s after. With the default ``--settle 3`` every tool runs on returned memory.
    """
    if path.is_dir():
        shutil.rmtree(path)
    else:
        nginx.drop_file(path)
        for suffix in (".part", ".part.meta", ".aria2"):
            nginx.drop_file(path.with_name(path.name + suffix))
    os.sync()
    if mkdir:
        path.mkdir(parents=True)
    if settle:
        time.sleep(settle)


class Table:
    """Collects timed runs per (case, tool) and prints the summary."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.sizes: dict[str, int] = {}

    def time(
        self,
        case: str,
        tool: str,
        size: int,
        fn: Callable[..., dict[str, Any]],
        *args: Any,
        prepare: Callable[[], None],
    ) -> None:
        result = fn(*args, prepare=prepare)
        self.runs.setdefault((case, tool), []).append(result)
        self.sizes[case] = size
        print(f"  {case:<10} {tool:<28} {result['seconds']:8.3f} s", flush=True)

    def median(self, case: str, tool: str) -> float:
        return float(statistics.median(r["seconds"] for r in self.runs[(case, tool)]))

    def print(self) -> None:
        print()
        header = (
            f"{'case':<10} {'tool':<28} {'median s':>9} {'best s':>8} {'MB/s':>8} "
            f"{'peak RSS MiB':>13} {'RSS growth MiB':>15} {'runs':>5}"
        )
        print(header)
        print("-" * len(header))
        for (case, tool), runs in self.runs.items():
            seconds = [r["seconds"] for r in runs]
            median = statistics.median(seconds)
            rate = self.sizes[case] / median / 1e6
            rss = max((r["rss"] for r in runs if r["rss"] is not None), default=None)
            grew = max((r["rss_delta"] for r in runs if r["rss_delta"] is not None), default=None)
            rss_text = f"{rss:13.1f}" if rss is not None else f"{'-':>13}"
            grew_text = f"{grew:15.1f}" if grew is not None else f"{'-':>15}"
            print(
                f"{case:<10} {tool:<28} {median:9.3f} {min(seconds):8.3f} {rate:8.1f} "
                f"{rss_text} {grew_text} {len(runs):5d}"
            )


def rounds(
    table: Table,
    target: Path,
    repeat: int,
    runs: list[tuple[Any, ...]],
    *,
    settle: float,
    warm_up: bool = True,
) -> None:
    """Run every tool ``repeat`` times, rotating who goes first each round (the disk of a shared
    machine has hiccups, often right after a large file was deleted); a first untimed round
    warms nginx, the page cache and the disk's free-block state for everyone alike."""

    def prepare() -> None:
        clean(target, settle)

    if warm_up:
        for _case, _tool, _size, fn, *args in runs:
            fn(*args, prepare=prepare)
    for n in range(repeat):
        shift = n % len(runs)
        for case, tool, size, fn, *args in runs[shift:] + runs[:shift]:
            table.time(case, tool, size, fn, *args, prepare=prepare)


def bench_nginx(table: Table, ref_python: Path | None, args: argparse.Namespace) -> None:
    size = args.size_mib * MiB
    work = Path(tempfile.mkdtemp(prefix="download-bench-", dir=ROOT / ".bench"))
    try:
        root = work / "www"
        root.mkdir()
        print(f"creating a {args.size_mib} MiB file ...", flush=True)
        nginx.make_file(root / "big.bin", size)
        out = work / "out"
        out.mkdir()
        target = out / "big.bin"
        with nginx.nginx(root, rate="32m") as url:
            slow, fast = f"{url}/slow/big.bin", f"{url}/fast/big.bin"
            ours_slow = {"jobs": [[slow + "?X-Amz-Signature=x", str(target)]]}
            ours_fast = {"jobs": [[fast + "?X-Amz-Signature=x", str(target)]]}
            aria = [
                "aria2c", "-x8", "-s8", "-q", "--allow-overwrite=true",
                "--auto-file-renaming=false", "-d", str(out), "-o", target.name, slow,
            ]  # fmt: skip
            curl = ["curl", "-sS", "-o", str(target), fast]
            curl_null = ["curl", "-sS", "-o", "/dev/null", fast]
            ours_one = {**ours_fast, "options": {"max_connections": 1}}
            async_slow, async_fast = {**ours_slow, "async": True}, {**ours_fast, "async": True}

            def reference(case: str, url: str) -> None:
                """The reference SDK's ``download_asset`` of ``url`` (fewer runs: it is slow)."""
                if ref_python is None:
                    return
                spec = {"url": url, "path": str(target)}
                ref = (case, "reference download_asset", size, run_python, ref_python,
                       REFERENCE_ASSET, spec)  # fmt: skip
                rounds(table, target, args.ref_repeat, [ref], settle=args.settle, warm_up=False)

            if "32m" in args.nginx_cases:
                print("case 1: limit_rate 32m per connection", flush=True)
                rounds(
                    table,
                    target,
                    args.repeat,
                    [
                        ("32m", "ours (8 connections)", size, run_python, sys.executable, OURS,
                         ours_slow),
                        ("32m", "ours async (8 connections)", size, run_python,
                         sys.executable, OURS, async_slow),
                        ("32m", "aria2c -x8 -s8", size, run_command, aria),
                    ],
                    settle=args.settle,
                )  # fmt: skip
                reference("32m", slow)
            if "fast" not in args.nginx_cases:
                return
            print("case 2: unthrottled", flush=True)
            rounds(
                table,
                target,
                args.repeat,
                [
                    ("fast", "ours (8 connections)", size, run_python, sys.executable, OURS,
                     ours_fast),
                    ("fast", "ours async (8 connections)", size, run_python, sys.executable, OURS,
                     async_fast),
                    ("fast", "ours (1 connection)", size, run_python, sys.executable, OURS,
                     ours_one),
                    ("fast", "curl -o file", size, run_command, curl),
                    ("fast", "curl -o /dev/null", size, run_command, curl_null),
                ],
                settle=args.settle,
            )  # fmt: skip
            reference("fast", fast)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def bench_sandbox(table: Table, ref_python: Path | None, args: argparse.Namespace) -> None:
    from capella.sandbox import DEMO_API_KEY, Sandbox
    from capella.sandbox.assets import asset_size

    work = Path(tempfile.mkdtemp(prefix="download-bench-", dir=ROOT / ".bench"))
    try:
        # A 200-product order costs more than the demo contract allows by default.
        with Sandbox(latency=args.latency, insufficient_funds_above=1e12) as sandbox:
            headers = {"Authorization": f"ApiKey {DEMO_API_KEY}"}
            with httpx.Client(base_url=sandbox.url, headers=headers, timeout=120) as api:
                body = {"limit": args.products, "query": {"sar:product_type": {"eq": "GEO"}}}
                features = api.post("/catalog/search", json=body).raise_for_status().json()
                chosen = features["features"]
                items = [{"collectionId": f["collection"], "granuleId": f["id"]} for f in chosen]
                order = api.post("/orders", json={"items": items}).raise_for_status().json()
                presigned = api.get(f"/orders/{order['orderId']}/download").raise_for_status()
            items_file = work / "items.json"
            items_file.write_text(presigned.text)
            out = work / "out"
            jobs = [
                [item["assets"][key]["href"], str(out / item["id"] / Path(
                    httpx.URL(item["assets"][key]["href"]).path).name)]
                for item in presigned.json()
                for key in ("metadata", "thumbnail")
            ]  # fmt: skip
            total = 0
            for item in presigned.json():
                found = sandbox.state.item(item["id"])
                assert found is not None
                for key in ("metadata", "thumbnail"):
                    total += asset_size(found, key, sandbox.config.raster_size)
            case = f"{len(jobs)} small"
            print(f"case 3: {len(jobs)} small assets, {args.latency * 1000:.0f} ms latency")
            for _ in range(args.repeat):
                table.time(
                    case,
                    "ours Downloader.run",
                    total,
                    run_python,
                    sys.executable,
                    OURS,
                    {"jobs": jobs},
                    prepare=lambda: clean(out, args.settle),
                )
                if ref_python is not None:
                    spec = {"items": str(items_file), "dir": str(out)}
                    table.time(
                        case,
                        "reference download_products",
                        total,
                        run_python,
                        ref_python,
                        REFERENCE_PRODUCTS,
                        spec,
                        prepare=lambda: clean(out, args.settle, mkdir=True),
                    )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def verdicts(table: Table, products: int) -> None:
    print()

    def ratio(case: str, a: str, b: str) -> float | None:
        if (case, a) in table.runs and (case, b) in table.runs:
            return table.median(case, b) / table.median(case, a)
        return None

    checks = [
        ("32m: ours vs reference (speed-up)", ratio("32m", "ours (8 connections)",
         "reference download_asset"), ">= 4.0", 4.0),
        ("32m: ours vs aria2c (throughput ratio)", ratio("32m", "ours (8 connections)",
         "aria2c -x8 -s8"), ">= 0.9", 0.9),
        ("fast: ours vs curl -o file (throughput ratio)", ratio("fast", "ours (8 connections)",
         "curl -o file"), ">= 0.95", 0.95),
        ("fast: ours, 1 connection vs curl -o file", ratio("fast", "ours (1 connection)",
         "curl -o file"), "(info)", None),
        ("32m: async vs threaded client (throughput ratio)", ratio("32m",
         "ours async (8 connections)", "ours (8 connections)"), ">= 0.9", 0.9),
        ("fast: async vs threaded client (throughput ratio)", ratio("fast",
         "ours async (8 connections)", "ours (8 connections)"), "(info)", None),
    ]  # fmt: skip
    case = f"{products * 2} small"
    small = ratio(case, "reference download_products", "ours Downloader.run")
    for name, value, target, floor in checks:
        if value is None:
            continue
        ok = "" if floor is None else ("  OK" if value >= floor else "  MISSED")
        print(f"{name:<48} {value:6.2f}x   target {target}{ok}")
    if small is not None:
        ok = "  OK" if small <= 0.5 else "  MISSED"
        print(f"{'small: ours / reference wall time':<48} {small:6.2f}x   target <= 0.5{ok}")
    peaks = [
        r["rss"] for (c, tool), runs in table.runs.items() if tool.startswith("ours") for r in runs
    ]
    grew = [
        r["rss_delta"]
        for (c, tool), runs in table.runs.items()
        if tool.startswith("ours")
        for r in runs
    ]
    if peaks:
        print(
            f"{'ours: peak RSS (whole process) / growth':<48} {max(peaks):6.1f} / "
            f"{max(grew):.1f} MiB   target <= 64 MiB"
        )


def main() -> None:
    """Run the three cases and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--ref-repeat", type=int, default=1, help="runs of the slow reference")
    parser.add_argument("--products", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--no-reference", action="store_true")
    parser.add_argument(
        "--settle", type=float, default=3.0, help="seconds to wait after each clean-up"
    )
    parser.add_argument("--cases", default="nginx,sandbox")
    parser.add_argument("--nginx-cases", default="32m,fast", help="of nginx: 32m, fast or both")
    args = parser.parse_args()
    (ROOT / ".bench").mkdir(exist_ok=True)
    nginx.ensure_tools()
    ref_python = None if args.no_reference else ensure_reference()
    table = Table()
    if "nginx" in args.cases:
        bench_nginx(table, ref_python, args)
    if "sandbox" in args.cases:
        bench_sandbox(table, ref_python, args)
    table.print()
    verdicts(table, args.products)


if __name__ == "__main__":
    main()
