"""``capella download``: the assets of an order, a tasking request, a collect, or stdin items."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.filesize import decimal

from capella.cli import output
from capella.cli._context import Command, ExitCode, epilog, state_of, usage_error
from capella.cli._inputs import STDIN, parse_records, read_stdin
from capella.cli._options import (
    Given,
    Option,
    Options,
    choices,
    csv_list,
    many,
    renamed,
    switch,
    text,
    when_given,
    with_options,
)
from capella.download.jobs import DownloadOutcome
from capella.download.progress import RunProgress, Summary, interrupted
from capella.enumerations import AssetType, ProductType

EPILOG = """Examples:

  capella download --order 6c2f1c8e-0d36-4a55-9b0a-3c8f35f2f1d2 --dir ./imagery

  capella download --task 34c78a57-2d68-4b4a-a7ba-c188f9e2645d --product-type GEO \
--include HH,thumbnail

  capella search --product-type GEO --limit 2 --format ids | capella order create - \
| capella download - --dir ./imagery

'-' reads an order id (as 'capella order create' prints it) or STAC items with presigned hrefs
(as 'capella order items' prints them) from stdin. Writes one JSON record per file to stdout:
{"stac_id", "asset", "path", "bytes", "status"} as each file finishes, status downloaded,
resumed, skipped or failed, then {"summary": {...counts, bytes received, seconds}}. After
Ctrl-C, the finished files' records, "partial" records for the rest, and exit 130: the same
command resumes where it stopped.
Exit 3 when some files failed (the others are kept and listed), 1 when all did.
"""


def _sources(source: str | None, named: Given) -> list[dict[str, Any]]:
    """The download_products keywords of each thing to download."""
    if source is not None and source != STDIN:
        usage_error(f"unexpected argument {source!r}: use --order/--task/--collect ID, or '-'")
    if len(named) + (source is not None) != 1:
        usage_error("give exactly one of --order ID, --task ID, --collect ID or '-' (stdin)")
    if named:
        return [named]
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


def _never(value: bool) -> bool:
    # --flat and --no-resume switch off what download_products does by default.
    return not value


# What to download: one of these, or '-' (stdin).
_SOURCES = Options(
    {
        "order": text("--order", help="Order id.", to_keywords=when_given(str, "order_id")),
        "task": text(
            "--task",
            help="Tasking request id (ordered first).",
            to_keywords=when_given(str, "tasking_request_id"),
        ),
        "collect": text(
            "--collect",
            help="Collect id (ordered first).",
            to_keywords=when_given(str, "collect_id"),
        ),
    }
)
# How to download it, as download_products keywords.
_OPTIONS = Options(
    {
        "directory": Option(
            Annotated[
                str,
                typer.Option(
                    "--dir",
                    "-d",
                    help="Directory (created if missing) or s3://bucket/prefix to write to.",
                ),
            ],
            default=".",
            to_keywords=renamed("local_dir"),
        ),
        "include": many(
            "--include",
            help="Only these assets (repeatable or comma-separated), e.g. HH,thumbnail; "
            "raster means HH or VV.",
            values=AssetType,
            to_keywords=renamed("include", csv_list),
        ),
        "exclude": many(
            "--exclude",
            help="Skip these assets; wins over --include.",
            values=AssetType,
            to_keywords=renamed("exclude", csv_list),
        ),
        "product_type": many(
            "--product-type",
            "-p",
            help=f"Only these product types: {choices(ProductType)}.",
            to_keywords=renamed("product_types", csv_list),
        ),
        "contract_id": text("--contract-id", help="Contract charged when --task/--collect orders."),
        "flat": switch(
            "--flat",
            help="All files in --dir, not one folder per product.",
            to_keywords=renamed("separate_dirs", _never),
        ),
        "override": switch("--override", help="Download again files that already exist."),
        "no_resume": switch(
            "--no-resume",
            help="Restart partial files from the beginning.",
            to_keywords=renamed("enable_resume", _never),
        ),
        "threaded": switch(
            "--threaded/--no-threaded", help="Download files in parallel.", default=True
        ),
    }
)


@with_options
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
    named: Given = _SOURCES,
    options: Given = _OPTIONS,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Download product assets; one JSON record per file on stdout."""
    jobs = _sources(source, named)
    client = state_of(ctx).client()
    # Progress bars only for a person watching; they go to stderr either way.
    display = not quiet and sys.stderr.isatty()
    records = Records()
    try:
        for job in jobs:
            records.run(client, {**job, **options}, display=display)
    except KeyboardInterrupt:
        records.interrupted()
        raise typer.Exit(ExitCode.INTERRUPTED) from None
    summary = records.finish(quiet=quiet or display)
    if summary.failed:
        done = summary.downloaded + summary.resumed + summary.skipped
        output.message(f"{summary.failed} of {done + summary.failed} files failed")
        raise typer.Exit(ExitCode.PARTIAL if done else ExitCode.ERROR)


def _record(outcome: DownloadOutcome, status: str | None = None) -> dict[str, Any]:
    """One file's NDJSON record; the status is the download core's (or ``partial``)."""
    job = outcome.job
    record: dict[str, Any] = {
        "stac_id": job.stac_id,
        "asset": job.asset_key,
        "path": str(job.path),
        "bytes": outcome.bytes,
        "status": status or outcome.status,
    }
    if outcome.status == "failed" and status is None:
        error = outcome.error
        record["error"] = " ".join(str(getattr(error, "message", None) or error).split())
    return record


class Records:
    """The records of one ``capella download``: written as each file finishes, whatever follows.

    Each source's run reports its outcomes to ``write`` while it goes, so the files finished
    before a Ctrl-C have their records, and the summary counts what the core decided.
    """

    def __init__(self) -> None:
        self.runs: list[RunProgress] = []

    def write(self, outcome: DownloadOutcome) -> None:
        """Write a finished file's record; a file cut by Ctrl-C waits for ``interrupted``."""
        if not interrupted(outcome):
            output.json_record(_record(outcome))

    def run(self, client: Any, keywords: dict[str, Any], *, display: bool) -> None:
        """Download one source, writing records as its files finish."""
        from capella.errors import DownloadError

        progress = RunProgress(display=display, on_outcome=self.write, probe_sizes=display)
        self.runs.append(progress)
        try:
            client.download_products(**keywords, show_progress=progress)
        except DownloadError as exc:
            reported = {id(o) for o in progress.outcomes}
            for outcome in exc.outcomes:  # any the run did not report (none, normally)
                if isinstance(outcome, DownloadOutcome) and id(outcome) not in reported:
                    self.write(outcome)

    def summary(self) -> Summary:
        """The counts of every run so far, added up."""
        return sum((run.summary() for run in self.runs), Summary())

    def finish(self, *, quiet: bool) -> Summary:
        """Write the summary record (and line, unless the bars already showed it)."""
        summary = self.summary()
        output.json_record({"summary": summary.record()})
        if not quiet:
            output.message(summary.line())
        return summary

    def interrupted(self) -> None:
        """After Ctrl-C: records of the partial files, the summary, and how to resume (even
        with ``--quiet``: the person who pressed Ctrl-C needs to know what is missing)."""
        partial = [f for run in self.runs for f in run.partial()]
        for file in partial:
            if file.job is not None:
                outcome = file.outcome or DownloadOutcome(file.job, "failed", file.done)
                output.json_record({**_record(outcome, "partial"), "bytes": file.done})
        summary = self.summary()
        output.json_record({"summary": {**summary.record(), "interrupted": True}})
        finished = summary.downloaded + summary.resumed + summary.skipped + summary.failed
        waiting = sum(run.waiting() for run in self.runs)
        count = finished + len(partial) + waiting
        output.message(f"interrupted: {finished} of {count} files finished (records written)")
        for file in partial:
            size = decimal(file.total) if file.total is not None else "unknown size"
            output.message(f"unfinished: {file.name} ({decimal(file.done)} of {size})")
        if waiting:
            output.message(f"not started: {waiting} file{'s' if waiting != 1 else ''}")
        output.message("run the same command again to resume")


def register(app: typer.Typer) -> None:
    """Add ``download`` to ``app``."""
    app.command("download", cls=Command, epilog=epilog(EPILOG))(download)
