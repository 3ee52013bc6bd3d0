"""`python -m capella.sandbox`: run the sandbox in the foreground until Ctrl+C or SIGTERM."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from capella.sandbox.config import DEMO_API_KEY, DEMO_CONTRACT_ID, DEMO_TOKEN
from capella.sandbox.faults import Fault, parse_fault
from capella.sandbox.server import PortInUseError, Sandbox
from capella.sandbox.users import DEMO_USER

__all__ = ["main"]


def _fault(spec: str) -> Fault:
    try:
        return parse_fault(spec)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="capella sandbox",
        description="Run a local Capella-compatible API server on 127.0.0.1.",
        # An option left out is left out of the Sandbox call: SandboxConfig holds the defaults.
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("--port", type=int, default=8000, help="port (0: any free port)")
    parser.add_argument("--seed", type=int, help="seed of the generated catalog (default 0)")
    parser.add_argument("--db", help="SQLite file to keep orders and requests in")
    parser.add_argument("--raster-size", type=int, help="size in bytes of each data raster")
    parser.add_argument(
        "--completion-share",
        type=float,
        help="share of new tasking requests that complete at once (0..1)",
    )
    parser.add_argument("--latency", type=float, help="seconds added to every request")
    parser.add_argument(
        "--fault",
        action="extend",
        nargs="+",
        type=_fault,
        default=[],
        dest="faults",
        metavar="SPEC",
        help="ROUTE:KIND[=VALUE][:times=N][:retry-after=S], e.g. assets:status=503:times=2",
    )
    parser.add_argument("--log-level", default="warning", help="server log level")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox until interrupted; print its URL and demo credentials first."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        return _serve(args)
    except PortInUseError as exc:
        # One line, no traceback: the only fix is another port, which the user chooses.
        print(
            f"capella sandbox: {exc.strerror}; choose another --port, or --port 0 for any free one",
            file=sys.stderr,
        )
        return 1


def _serve(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # Every option but the log level is a Sandbox argument of the same name.
        options = {k: v for k, v in vars(args).items() if k != "log_level"}
        sandbox = Sandbox(**options)
        with sandbox:
            print(f"Capella sandbox running at {sandbox.url} (seed {sandbox.config.seed})")
            print(f"API key:  {DEMO_API_KEY}")
            print(f"Token:    {DEMO_TOKEN}")
            print(f"User:     {DEMO_USER.email} ({DEMO_USER.id})")
            print(f"Contract: {DEMO_CONTRACT_ID}")
            print("Press Ctrl+C to stop.", flush=True)
            while sandbox.running and not stop.wait(0.5):
                pass
        return 0 if stop.is_set() else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
