"""The download methods of both clients, written once as operations (see :mod:`capella._flow`).

Each operation checks its arguments, resolves the products through the API operations it
``yield from``s (orders, catalog search, tasking), plans which file goes where
(:mod:`capella.products`), and hands the bytes to move to its runner as one :class:`Transfer`
step (or :class:`FanOut`, :class:`SizeOf`). The runner passes those steps to the client's own
driver: threads (:mod:`capella.transfers`) or asyncio (:mod:`capella.aio._transfers`). What
an outcome means (which error is raised) is decided here, once.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capella._config import DEFAULT_DIR
from capella._flow import Context, Flow, Handoff
from capella.download.destination import Destination, asset_destination
from capella.enumerations import AssetType, ProductType
from capella.errors import raise_download_failure
from capella.products import Request, Source, product_flow, products_flow

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from cloudpathlib import S3Path

    from capella.download.fanout import Fanout, FanoutRun
    from capella.download.progress import RunProgress

Paths = dict[str, dict[str, "Path | S3Path"]]


# -- the steps a download hands to its client's driver -------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class SizeOf(Handoff):
    """Ask the presigned URL's size; the answer is a number of bytes."""

    url: str = dataclasses.field(repr=False)  # presigned: keep the signature out of reprs


@dataclasses.dataclass(frozen=True, slots=True)
class Transfer(Handoff):
    """Run ``jobs`` into ``directory``'s sink; the answer is their outcomes, in job order.

    ``source`` names the order whose presigned URLs the driver refreshes on a 403 (its
    ``order_id`` None: nothing to refresh from). ``options`` are the engines' run options.
    """

    directory: Destination
    jobs: list[Any]
    source: Source | None
    options: Mapping[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class FanoutOf(Handoff):
    """Check ``executor``; the answer is the :class:`~capella.download.fanout.Fanout` to use."""

    executor: object


@dataclasses.dataclass(frozen=True, slots=True)
class FanOut(Handoff):
    """Run one job per asset on ``fanout``'s executor; the answer is their outcomes."""

    executor: Executor
    run: FanoutRun
    show_progress: bool | RunProgress


# -- the operations -------------------------------------------------------------------------------


def get_asset_bytesize(ctx: Context, pre_signed_url: str) -> Flow[int]:
    """The size in bytes of a presigned asset (an error answer raises, never gives a size)."""
    size: int = yield SizeOf(pre_signed_url)
    return size


def download_asset(
    ctx: Context,
    pre_signed_url: str,
    local_path: Path | str | S3Path = DEFAULT_DIR,
    override: bool = False,
    show_progress: bool = False,
    enable_resume: bool = True,
) -> Flow[Path | S3Path]:
    """Download one presigned asset; return its path.

    ``local_path`` is the file to write, or a folder (existing, or a str ending in ``/``)
    that gets the URL's file name; ``s3://`` paths stream into S3. An existing file is kept
    unless ``override``; an interrupted download resumes (``enable_resume``). A failure
    raises the asset's own error, e.g. ``AssetConnectError`` (a ``ConnectError``), as the
    reference SDK did.

    >>> client.download_asset(assets[0]["thumbnail"]["href"], local_path="/tmp/thumb.png")
    """
    directory, path = asset_destination(local_path, pre_signed_url, ctx.log)
    directory.warn_resume(ctx.log, enable_resume)
    job = directory.job(pre_signed_url, path, asset_key="asset")
    options = _options(override, enable_resume, show_progress, threaded=True)
    outcomes = yield Transfer(directory, [job], None, options)
    raise_download_failure(outcomes, single_asset=True)
    return path


def download_products(
    ctx: Context,
    items_presigned: Sequence[Mapping[str, Any]] | None = None,
    order_id: str | None = None,
    tasking_request_id: str | None = None,
    collect_id: str | None = None,
    local_dir: Path | str | S3Path = DEFAULT_DIR,
    include: list[str | AssetType] | str | None = None,
    exclude: list[str | AssetType] | str | None = None,
    override: bool = False,
    threaded: bool = True,
    show_progress: bool | RunProgress = False,
    separate_dirs: bool = True,
    product_types: list[str | ProductType] | str | None = None,
    contract_id: str | None = None,
    enable_resume: bool = True,
    *,
    executor: Executor | None = None,
) -> Flow[dict[str, dict[str, Path | S3Path]]]:
    """Download the assets of several products; return ``{stac_id: {asset_key: path}}``.

    Products come from (precedence high to low) ``items_presigned``, ``order_id``,
    ``tasking_request_id`` or ``collect_id``; the last two order the products on the fly
    (reusing an active order that holds them, charged to ``contract_id``).
    ``include`` / ``exclude`` take asset types (``raster`` means HH or VV; exclude wins),
    ``product_types`` e.g. ``["GEO", "SLC"]``; an invalid value raises
    ``InvalidInputError``. Files go to ``<local_dir>/<stac_id>/`` (``separate_dirs``) or
    straight into ``local_dir``, which is created if missing. A product with no matching
    asset maps to ``{}``. Every file is attempted; failures raise one ``DownloadError``
    afterwards, and completed files stay in place. ``show_progress``: bars and a summary
    line on stderr, or a ``capella.download.progress.RunProgress`` told of each outcome.
    The async client fetches the files concurrently on the event loop (up to
    ``download_connections`` at a time, one with ``threaded=False``).

    ``executor`` (any ``concurrent.futures.Executor``: a ``ProcessPoolExecutor``, a Dask
    ``Client.get_executor()``) runs one job per asset there, into a folder every worker
    sees or an S3 prefix; the client, API key included, is pickled to the workers.

    >>> client.download_products(order_id=order_id, local_dir="imagery", include="raster")
    """
    fanout: Fanout | None = None if executor is None else (yield FanoutOf(executor))
    request = Request.build(ctx.log, local_dir, include, exclude, product_types, separate_dirs)
    source = yield from products_flow(
        ctx,
        items_presigned,
        order_id,
        tasking_request_id,
        collect_id,
        request.product_types,
        contract_id,
    )
    if source is None:
        return {}
    options = _options(override, enable_resume, show_progress, threaded)
    return (yield from _transfer(ctx, request, source, fanout, options))


def download_product(
    ctx: Context,
    assets_presigned: Mapping[str, Any] | None = None,
    order_id: str | None = None,
    local_dir: Path | str | S3Path = DEFAULT_DIR,
    include: list[str | AssetType] | str | None = None,
    exclude: list[str | AssetType] | str | None = None,
    override: bool = False,
    threaded: bool = True,
    show_progress: bool = False,
) -> Flow[dict[str, Path | S3Path]]:
    """Deprecated: download one product's assets; use ``download_products``.

    Returns ``{asset_key: path}`` for ``assets_presigned`` or the first product of
    ``order_id``, saved under ``<local_dir>/<stac_id>/``.
    """
    # Five frames up is the caller of the client method (this generator, Driver.step, the
    # session's run and the method sit between), for either client.
    warnings.warn(
        "download_product is deprecated; use download_products instead",
        DeprecationWarning,
        stacklevel=5,
    )
    request = Request.build(ctx.log, local_dir, include, exclude)
    source = yield from product_flow(ctx, assets_presigned, order_id)
    if source is None:
        return {}
    options = _options(override, True, show_progress, threaded)
    paths = yield from _transfer(ctx, request, source, None, options)
    return next(iter(paths.values()), {})


def _options(
    override: bool, enable_resume: bool, show_progress: bool | RunProgress, threaded: bool
) -> dict[str, Any]:
    """The engines' run options of one call."""
    return {
        "override": override,
        "enable_resume": enable_resume,
        "show_progress": show_progress,
        "threaded": threaded,
    }


def _transfer(
    ctx: Context,
    request: Request,
    source: Source,
    fanout: Fanout | None,
    options: dict[str, Any],
) -> Flow[Paths]:
    """Plan the jobs, have them run, raise ``DownloadError`` if any failed after all finished."""
    plan = request.plan(ctx.log, source)
    if not plan.assets:
        return plan.paths
    request.directory.warn_resume(ctx.log, options["enable_resume"])
    jobs = request.jobs(plan)
    step: Handoff
    if fanout is None:
        step = Transfer(request.directory, jobs, source, options)
    else:
        keep = {"override": options["override"], "enable_resume": options["enable_resume"]}
        run = fanout.plan(jobs, source.order_id, **keep)
        step = FanOut(fanout.executor, run, options["show_progress"])
    raise_download_failure((yield step))
    return plan.paths
