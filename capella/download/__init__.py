"""Downloads of presigned assets: resumable, verified, parallel; no API credentials involved.

``Downloader.run(jobs)`` (threads) and ``AsyncDownloader.run(jobs)`` (asyncio) fetch a list of
``DownloadJob`` and return one ``DownloadOutcome`` per job; ``raise_for_failures`` turns the
failed ones into one ``DownloadError``. The layout, one job per module:

- ``protocol``: what every answer means and what comes next (no I/O).
- ``settings``: ``DownloadSettings``, every option of a run in one frozen value.
- ``engine`` / ``async_engine`` / ``s3``: the drivers (threads, asyncio, S3 multipart sink);
  they only move bytes. ``attempts``: their retry loops, written once without I/O;
  ``signals``: what a driver's ``answer`` raises to them.
- ``localfile`` / ``partfile``: a local file's state and its ``.part`` and resume record.
- ``destination``: a local folder or an S3 prefix, chosen once at the edge.
- ``wire``: the threaded driver's pool of ``http.client`` connections.
"""

from capella.download.engine import (
    DEFAULT_SEGMENT_SIZE,
    DEFAULT_SEGMENT_THRESHOLD,
    Downloader,
    DownloadJob,
    DownloadOutcome,
    raise_for_failures,
)
from capella.download.paths import filename_from_url, meta_path, part_path, safe_join
from capella.download.settings import DownloadSettings
from capella.errors import (
    AssetConnectError,
    AssetDownloadError,
    DownloadError,
    IncompleteDownloadError,
    PresignedUrlExpiredError,
)

__all__ = [
    "DEFAULT_SEGMENT_SIZE",
    "DEFAULT_SEGMENT_THRESHOLD",
    "AssetConnectError",
    "AssetDownloadError",
    "DownloadError",
    "DownloadJob",
    "DownloadOutcome",
    "DownloadSettings",
    "Downloader",
    "IncompleteDownloadError",
    "PresignedUrlExpiredError",
    "filename_from_url",
    "meta_path",
    "part_path",
    "raise_for_failures",
    "safe_join",
]
