"""``capella download``: the assets of an order, a tasking request, a collect, or stdin items."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from capella.cli import output
from capella.cli._context import Command, ExitCode, epilog, state_of, usage_error
from capella.cli._inputs import STDIN, parse_records, read_stdin, split_csv
from capella.enumerations import AssetType, ProductType

EPILOG = """Examples:

  capella download --order 6c2f1c8e-0d36-4a55-9b0a-3c8f35f2f1d2 --dir ./imagery

  capella download --task 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --product-type GEO \
--include HH,thumbnail

  capella search --product-type GEO --limit 2 --format ids | capella order create - \
| capella download - --dir ./imagery

'-' reads an order id (as 'capella order create' prints it) or STAC items with presigned hrefs
(as 'capella order items' prints them) from stdin. Writes one JSON record per file to stdout:
{"stac_id", "asset", "path", "bytes", "status"}. Interrupted downloads resume where they stopped.
Exit 3 when some files failed (the others are kept and listed), 1 when all did.
"""


def _asset_completer(incomplete: str) -> list[str]:
    return [str(v) for v in AssetType.values() if str(v).startswith(incomplete)]


def _sources(
    source: str | None, order: str | None, task: str | None, collect: str | None
) -> list[dict[str, Any]]:
    """The download_products keywords of each thing to download."""
    named = [(k, v) for k, v in (("order", order), ("task", task), ("collect", collect)) if v]
    if source is not None and source != STDIN:
        usage_error(f"unexpected argument {source!r}: use --order/--task/--collect ID, or '-'")
    if len(named) + (source is not None) != 1:
        usage_error("give exactly one of --order ID, --task ID, --collect ID or '-' (stdin)")
    if named:
        key, value = named[0]
        keyword = {"order": "order_id", "task": "tasking_request_id", "collect": "collect_id"}[key]
        return [{keyword: value}]
    entries = parse_records(read_stdin())
    items = [e for e in entries if isinstance(e, dict) and "assets" in e]
    if items and len(items) == len(entries):
        return [{"items_presigned": items}]
    order_ids = [e if isinstance(e, str) else e.get("orderId") for e in entries]
    if not order_ids or not all(isinstance(i, str) and i for i in order_ids):
        usage_error(
            "stdin holds neither an order id nor STAC items with presigned assets "
            "(pipe 'capella order create' or 'capella order items' into it)"
        )
    return [{"order_id": i} for i in dict.fromkeys(str(i) for i in order_ids)]


def download(
    ctx: typer.Context,
    source: Annotated[
        str | None,
        typer.Argument(
            metavar="[-]",
            show_default=False,
            help="'-' to read an order id or presigned STAC items from stdin.",
        ),
    ] = None,
    order: Annotated[str | None, typer.Option("--order", help="Order id.")] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="Tasking request id (ordered first).")
    ] = None,
    collect: Annotated[
        str | None, typer.Option("--collect", help="Collect id (ordered first).")
    ] = None,
    directory: Annotated[
        str,
        typer.Option(
            "--dir",
            "-d",
            help="Directory (created if missing) or s3://bucket/prefix to write to.",
        ),
    ] = ".",
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="Only these assets (repeatable or comma-separated), e.g. HH,thumbnail; "
            "raster means HH or VV.",
            autocompletion=_asset_completer,
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude",
            help="Skip these assets; wins over --include.",
            autocompletion=_asset_completer,
        ),
    ] = None,
    product_type: Annotated[
        list[str] | None,
        typer.Option(
            "--product-type",
            "-p",
            help=f"Only these product types: {', '.join(str(v) for v in ProductType.values())}.",
        ),
    ] = None,
    contract_id: Annotated[
        str | None,
        typer.Option("--contract-id", help="Contract charged when --task/--collect orders."),
    ] = None,
    flat: Annotated[
        bool, typer.Option("--flat", help="All files in --dir, not one folder per product.")
    ] = False,
    override: Annotated[
        bool, typer.Option("--override", help="Download again files that already exist.")
    ] = False,
    no_resume: Annotated[
        bool, typer.Option("--no-resume", help="Restart partial files from the beginning.")
    ] = False,
    threaded: Annotated[
        bool, typer.Option("--threaded/--no-threaded", help="Download files in parallel.")
    ] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Download product assets; one JSON record per file on stdout."""
    jobs = _sources(source, order, task, collect)
    client = state_of(ctx).client()
    options: dict[str, Any] = {
        "local_dir": directory,
        "include": split_csv(include) or None,
        "exclude": split_csv(exclude) or None,
        "product_types": split_csv(product_type) or None,
        "override": override,
        "threaded": threaded,
        # Progress bars only for a person watching; they go to stderr either way.
        "show_progress": not quiet and sys.stderr.isatty(),
        "separate_dirs": not flat,
        "enable_resume": not no_resume,
    }
    if contract_id:
        options["contract_id"] = contract_id
    ok = failed = 0
    for job in jobs:
        good, bad = _run(client, {**job, **options})
        ok, failed = ok + good, failed + bad
    if failed:
        output.message(f"{failed} of {ok + failed} files failed")
        raise typer.Exit(ExitCode.PARTIAL if ok else ExitCode.ERROR)


def _run(client: Any, keywords: dict[str, Any]) -> tuple[int, int]:
    """Download one source; write its records; return (succeeded, failed)."""
    from capella.errors import DownloadError

    started = time.time_ns()
    try:
        result = client.download_products(**keywords)
    except DownloadError as exc:
        return _write_outcomes(exc.outcomes)
    outcomes = getattr(result, "outcomes", None)
    if outcomes is not None:
        return _write_outcomes(outcomes)
    return _write_paths(result, started)


def _size(path: Any) -> int | None:
    try:
        return Path(path).stat().st_size
    except (OSError, TypeError):
        return None


def _record(stac_id: Any, asset: Any, path: Any, size: Any, status: str) -> dict[str, Any]:
    return {
        "stac_id": stac_id,
        "asset": asset,
        "path": str(path) if path is not None else None,
        "bytes": size,
        "status": status,
    }


def _write_outcomes(outcomes: Any) -> tuple[int, int]:
    """Records of the downloader's outcomes (downloaded, resumed, skipped or failed)."""
    ok = failed = 0
    for outcome in outcomes:
        job = outcome.job
        size = getattr(outcome, "bytes", None)
        record = _record(
            job.stac_id,
            job.asset_key,
            job.path,
            size if isinstance(size, int) else _size(job.path),
            str(outcome.status),
        )
        if outcome.status == "failed":
            failed += 1
            error = outcome.error
            record["error"] = " ".join(str(getattr(error, "message", None) or error).split())
        else:
            ok += 1
        output.json_record(record)
    return ok, failed


def _write_paths(result: Any, started_ns: int) -> tuple[int, int]:
    """Records of a ``{stac_id: {asset: path}}`` result (every file present).

    The client reports statuses only for failed runs; here a file written during this run is
    ``downloaded`` and one left untouched (already complete) ``skipped``.
    """
    count = 0
    for stac_id, assets in (result or {}).items():
        for asset, path in assets.items():
            try:
                stat = Path(path).stat()
            except OSError:
                size, status = None, "downloaded"
            else:
                size = stat.st_size
                status = "downloaded" if stat.st_mtime_ns >= started_ns else "skipped"
            output.json_record(_record(stac_id, asset, path, size, status))
            count += 1
    return count, 0


def register(app: typer.Typer) -> None:
    """Add ``download`` to ``app``."""
    app.command("download", cls=Command, epilog=epilog(EPILOG))(download)
