"""Downloads of presigned assets: resumable, verified, parallel; no API credentials involved.

``Downloader.run(jobs)`` fetches a list of ``DownloadJob`` and returns one ``DownloadOutcome``
per job; ``raise_for_failures`` turns the failed ones into one ``DownloadError``.
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
