"""Careless input (issue 13): try every bad input and count how each was answered.

Tries the bad library calls and client options of ``tests/unit/test_careless_inputs.py`` (read
from that file, so there is one table), the download-side inputs below, and a few command lines
(typer's ``CliRunner``, against a counting HTTP server on 127.0.0.1). Each input is one of:

- typed: an ``InvalidInputError`` (library) or a usage/input error without a traceback (CLI),
  before any request;
- untyped: any other exception (a raw ``TypeError``, ``OSError``, httpx error, a typed error of
  another family) or, on the command line, "unexpected ..." or a traceback;
- silent: no error, or a request was sent (the bad input reached a server).

Usage: ``python benchmarks/careless_inputs.py [-v]`` (``-v`` lists each input and its answer).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capella import CapellaConsoleClient  # noqa: E402
from capella.errors import InvalidInputError  # noqa: E402

Call = Callable[[CapellaConsoleClient], object]


def _table() -> ModuleType:
    """The test module holding the library and client-option tables."""
    path = ROOT / "tests" / "unit" / "test_careless_inputs.py"
    spec = importlib.util.spec_from_file_location("careless_table", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def download_calls(scratch: Path) -> dict[str, Call]:
    """Bad inputs to the download methods (what a careless user passes, the call)."""
    item = {
        "id": "CAPELLA_C13_SP_GEO_HH_20240101000000_20240101000010",
        "collection": "capella-geo",
        "properties": {},
        "assets": {"HH": {"href": "https://assets.example.com/HH.tif?Signature=x"}},
    }
    a_file = scratch / "a-file"
    a_file.write_text("not a folder")
    return {
        "download_products(items_presigned='abc')": lambda c: c.download_products(
            items_presigned="abc", local_dir=scratch
        ),
        "download_products(items_presigned=[None])": lambda c: c.download_products(
            items_presigned=[None], local_dir=scratch
        ),
        "download_products(include=5)": lambda c: c.download_products(
            items_presigned=[item], local_dir=scratch, include=5
        ),
        "download_products(local_dir=None)": lambda c: c.download_products(
            items_presigned=[item], local_dir=None
        ),
        "download_products(local_dir under a file)": lambda c: c.download_products(
            items_presigned=[item], local_dir=a_file / "imagery"
        ),
        "download_products(local_dir in /proc)": lambda c: c.download_products(
            items_presigned=[item], local_dir="/proc/careless/imagery"
        ),
        "download_products(order_id='abc')": lambda c: c.download_products(
            order_id="abc", local_dir=scratch
        ),
    }


def cli_calls(scratch: Path) -> dict[str, list[str]]:
    """Bad command lines (global options are added by :func:`run_cli`)."""
    point = '{"type":"Point","coordinates":[11.15,49.6]}'
    return {
        "capella search --filter product_type__gt=GEO": [
            "search", "--filter", "product_type__gt=GEO",
        ],
        "capella search --filter look_angle__gt=nan": ["search", "--filter", "look_angle__gt=nan"],
        "capella search --filter product_typ=GEO": ["search", "--filter", "product_typ=GEO"],
        "capella tasks search --filter foo=1": ["tasks", "search", "--filter", "foo=1"],
        "capella tasks create (window in the past)": [
            "tasks", "create", "--geometry", point, "--name", "n",
            "--window-open", "2020-01-01", "--window-close", "2020-01-08",
        ],
        "capella tasks show not-a-uuid": ["tasks", "show", "not-a-uuid"],
        "capella --base-url api.capellaspace.com search": ["search", "--limit", "1"],
        "capella download --order abc --dir <under a file>": [
            "download", "--order", "abc", "--dir", str(scratch / "a-file" / "imagery"),
        ],
    }  # fmt: skip


class _Counter(BaseHTTPRequestHandler):
    """Counts every request and answers 500."""

    seen = 0

    def _any(self) -> None:
        type(self).seen += 1
        self.send_response(500)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PATCH = do_DELETE = do_HEAD = _any

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def counting_server() -> Iterator[str]:
    """A local HTTP server that counts requests; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def judge_call(table: ModuleType, call: Callable[[Any], object], client: bool) -> str:
    """Run one library input; ``typed``, ``untyped`` or ``silent`` with the answer."""
    transport = table.NoRequests()
    try:
        if client:
            with table.make_client(transport) as c:
                call(c)
        else:
            call(transport)
    except InvalidInputError as exc:
        verdict = "silent" if transport.sent else "typed"
        return f"{verdict}: {type(exc).__name__}: {exc}"
    except Exception as exc:  # every other failure is what is being counted
        verdict = "silent" if transport.sent else "untyped"
        return f"{verdict}: {type(exc).__name__}: {exc}"
    return "silent: accepted" + (f" ({len(transport.sent)} requests)" if transport.sent else "")


def run_cli(base_url: str, label: str, args: list[str]) -> str:
    """Run one command line; ``typed``, ``untyped`` or ``silent`` with what it printed."""
    from typer.testing import CliRunner

    from capella.cli import app

    url = "api.capellaspace.com" if "--base-url api." in label else base_url
    before = _Counter.seen
    result = CliRunner().invoke(app, ["--base-url", url, "--api-key", "careless-key", *args])
    text = (result.stderr or "").strip().replace("\n", " ")[:160]
    if _Counter.seen > before or result.exit_code == 0:
        return f"silent: exit {result.exit_code}, {_Counter.seen - before} requests: {text}"
    raw = result.exception is not None and not isinstance(result.exception, SystemExit)
    if raw or "unexpected" in text.lower() or "Traceback" in text:
        return f"untyped: exit {result.exit_code}: {text or result.exception!r}"
    return f"typed: exit {result.exit_code}: {text}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="list every input")
    verbose = parser.parse_args().verbose
    table = _table()
    answers: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp, counting_server() as base_url:
        scratch = Path(tmp)
        for label, call in {**table.LIBRARY_CALLS, **download_calls(scratch)}.items():
            answers[label] = judge_call(table, call, client=True)
        for label, options in table.CLIENT_OPTIONS.items():

            def open_with(transport: Any, options: dict[str, Any] = options) -> object:
                return table.try_options(transport, options)

            answers[f"CapellaConsoleClient({label})"] = judge_call(table, open_with, client=False)
        for label, args in cli_calls(scratch).items():
            answers[label] = run_cli(base_url, label, args)

    counts = Counter(answer.partition(":")[0] for answer in answers.values())
    for label, answer in answers.items():
        if verbose or not answer.startswith("typed"):
            print(f"{label:55} {answer[:150]}")
    print(
        f"tried {len(answers)} / typed {counts['typed']} / untyped {counts['untyped']} / "
        f"silent {counts['silent']}"
    )


if __name__ == "__main__":
    main()
