"""What a download run is asked to do and what it reports: jobs and their outcomes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import attrs

from capella._redact import redact_url
from capella.errors import DownloadError

if TYPE_CHECKING:
    from cloudpathlib import S3Path

Status = Literal["downloaded", "resumed", "skipped", "failed"]


def _url_repr(url: str) -> str:
    return repr(redact_url(url))


class _Described:
    """What every job says of itself in messages (its fields are the job class's own)."""

    path: Path | S3Path
    stac_id: str | None
    asset_key: str | None

    def describe(self) -> str:
        """``stac_id/asset_key (file name)``, or just the file name."""
        if self.stac_id or self.asset_key:
            return f"{self.stac_id or '?'}/{self.asset_key or '?'} ({self.path.name})"
        return self.path.name


@attrs.frozen
class DownloadJob(_Described):
    """One asset to fetch: its presigned URL and the final path to write it to."""

    url: str = attrs.field(repr=_url_repr)  # presigned: its signature never reaches a log or repr
    path: Path = attrs.field(converter=Path)
    stac_id: str | None = None
    asset_key: str | None = None
    # Returns a fresh presigned URL for this asset when the current one answers 403 (expired).
    refresh: Callable[[], str] | None = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen
class S3Job(_Described):
    """One asset to stream into S3: its presigned URL and the object to write (an ``S3Path``).

    Its fields mean what ``DownloadJob``'s do (the URL is kept out of reprs alike).
    """

    url: str = attrs.field(repr=_url_repr)
    path: S3Path
    stac_id: str | None = None
    asset_key: str | None = None
    refresh: Callable[[], str] | None = attrs.field(default=None, repr=False, eq=False)


@attrs.frozen
class DownloadOutcome:
    """What happened to one job: its status, the size on disk, and the error if it failed.

    ``bytes`` is the size of the final file (or of the ``.part`` left behind by a failure);
    ``transferred`` the bytes received over the network during this run.
    """

    job: DownloadJob | S3Job  # S3Job: streamed to an S3 object (capella.download.s3)
    status: Status
    bytes: int
    error: BaseException | None = None
    transferred: int = 0

    @property
    def path(self) -> Path | S3Path:
        """The final path of the asset."""
        return self.job.path

    def describe(self) -> str:
        """The job's description (for messages)."""
        return self.job.describe()


def raise_for_failures(outcomes: Sequence[DownloadOutcome]) -> None:
    """Raise ``DownloadError`` listing every failed asset, if any failed."""
    if any(o.status == "failed" for o in outcomes):
        raise DownloadError(outcomes)
