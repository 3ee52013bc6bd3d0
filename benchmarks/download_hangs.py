"""How long a download hangs on a host that stalls or drips, and whether two processes lose a file.

    python benchmarks/download_hangs.py stall [--timeout 60] [--max-retries 5]
    python benchmarks/download_hangs.py drip [--interval 20]
    python benchmarks/download_hangs.py api-drip [--interval 2]
    python benchmarks/download_hangs.py processes [--runs 10] [--size-mib 64]

``stall``: every answer sends its headers and half the body, then nothing. ``drip``: every
answer sends one byte every ``--interval`` seconds. Both print how long ``download_asset``
took to give up, with the client's defaults unless told otherwise (issue 13 item 8).
``api-drip``: the API itself drips its answer to ``GET /orders`` one byte every ``--interval``
seconds; prints how long ``list_orders`` took to give up.
``processes``: two processes download one asset into one folder, ``--runs`` times; prints how
many runs ended without the whole file (issue 13 item 2).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from capella import CapellaConsoleClient
from capella._http import DEFAULT_TIMEOUT
from capella.download import Downloader, DownloadJob


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = "stall"
    interval = 20.0
    data = b""
    requests = 0

    def do_GET(self) -> None:
        type(self).requests += 1
        if self.mode == "serve":
            self.serve()
            return
        self.send_response(200)
        self.send_header("Content-Length", "2000")
        self.end_headers()
        try:
            if self.mode == "stall":
                self.wfile.write(b"x" * 1000)
                self.wfile.flush()
                time.sleep(3600)
            for _ in range(2000):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(self.interval)
        except OSError:
            pass  # the client gave up

    def serve(self) -> None:
        data = self.data
        first = int((self.headers.get("Range") or "bytes=0-").split("=")[1].split("-")[0])
        if first >= len(data):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(data)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(data) - first))
        self.end_headers()
        try:
            for i in range(first, len(data), 1 << 20):
                self.wfile.write(data[i : i + (1 << 20)])
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


def start(mode: str, **attrs: Any) -> ThreadingHTTPServer:
    handler = type("H", (Handler,), {"mode": mode, **attrs})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def client_for(args: argparse.Namespace, **kwargs: Any) -> CapellaConsoleClient:
    """A client with the defaults, or the ``--timeout`` / ``--max-retries`` given."""
    options = {"timeout": args.timeout, "max_retries": args.max_retries}
    return CapellaConsoleClient(**kwargs, **{k: v for k, v in options.items() if v is not None})


def time_to_give_up(args: argparse.Namespace, server: ThreadingHTTPServer, call: Any) -> None:
    """Run ``call`` and print how long it took to end, and how."""
    began = time.monotonic()
    try:
        call()
        result = "completed"
    except Exception as exc:
        result = f"{type(exc).__name__}: {str(exc)[:160]}"
    took = time.monotonic() - began
    print(
        f"{args.mode}: timeout={args.timeout or 'default'} "
        f"max_retries={'default' if args.max_retries is None else args.max_retries} "
        f"interval={args.interval}: gave up after {took:.1f} s, "
        f"{server.RequestHandlerClass.requests} requests; {result}"  # type: ignore[attr-defined]
    )


def hang(args: argparse.Namespace) -> None:
    server = start(args.mode, interval=args.interval)
    url = f"http://127.0.0.1:{server.server_address[1]}/a.tif"
    client = client_for(args, no_auth=True, base_url="https://api.test")
    with client, tempfile.TemporaryDirectory() as folder:
        time_to_give_up(args, server, lambda: client.download_asset(url, Path(folder) / "a"))


def api_hang(args: argparse.Namespace) -> None:
    server = start("drip", interval=args.interval)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    with client_for(args, api_key="benchmark-key", no_token_check=True, base_url=base_url) as c:
        time_to_give_up(args, server, c.list_orders)


def child(url: str, target: str, results: Any) -> None:
    with Downloader() as d:
        [outcome] = d.run([DownloadJob(url, Path(target))])
    results.put(outcome.status)


def processes(args: argparse.Namespace) -> None:
    data = hashlib.sha256(b"x").digest() * (args.size_mib << 15)
    server = start("serve", data=data)
    url = f"http://127.0.0.1:{server.server_address[1]}/a.tif"
    ctx = multiprocessing.get_context("spawn")
    lost = 0
    statuses: dict[str, int] = {}
    began = time.monotonic()
    with tempfile.TemporaryDirectory() as root:
        for run in range(args.runs):
            target = Path(root) / str(run) / "a.tif"
            results = ctx.Queue()
            procs = [ctx.Process(target=child, args=(url, str(target), results)) for _ in "ab"]
            for p in procs:
                p.start()
            for _ in procs:
                status = results.get(timeout=600)
                statuses[status] = statuses.get(status, 0) + 1
            for p in procs:
                p.join()
            if not target.exists() or target.read_bytes() != data:
                lost += 1
    print(
        f"processes: {args.runs} runs x 2 processes, {args.size_mib} MiB: {lost} runs lost the "
        f"file; outcomes {statuses}; {time.monotonic() - began:.1f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["stall", "drip", "api-drip", "processes"])
    parser.add_argument("--timeout", type=float, help=f"default: the client's ({DEFAULT_TIMEOUT})")
    parser.add_argument("--max-retries", type=int, help="default: the client's")
    parser.add_argument("--interval", type=float, help="drip: 20 s, api-drip: 2 s")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size-mib", type=int, default=64)
    args = parser.parse_args()
    if args.mode == "processes":
        processes(args)
    elif args.mode == "api-drip":
        args.interval = 2.0 if args.interval is None else args.interval
        api_hang(args)
    else:
        args.interval = 20.0 if args.interval is None else args.interval
        hang(args)


if __name__ == "__main__":
    main()
