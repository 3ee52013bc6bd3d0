"""The presigned URL of one transfer, and when a fresh one may replace it: one rule for all.

The threaded engine, the asyncio engine and the S3 sink each keep one of these per asset; only
calling ``refresh`` differs (the asyncio engine awaits it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from capella._logging import ClientLog
from capella.download import protocol
from capella.download.signals import Fatal, Retry
from capella.errors import AssetDownloadError, PresignedUrlExpiredError


class FreshUrl:
    """A transfer's current presigned URL and its refresh history (a mixin of its state)."""

    job: Any  # its ``path``, and its ``refresh``: how to get a fresh URL (None: no way)
    log: ClientLog
    url: str
    url_works: bool  # the current URL answered with content at least once
    refreshed: bool

    @property
    def name(self) -> str:
        """The asset's file name (for messages)."""
        return str(self.job.path.name)

    def start_url(self, url: str) -> None:
        """Begin with the job's URL, never refreshed."""
        self.url, self.url_works, self.refreshed = url, False, False

    def refresh_for(self, url: str, detail: str) -> Callable[[], object]:
        """The ``refresh`` to call after a 403 on ``url``.

        Raises ``Retry`` when another range already replaced ``url`` (ask again with the new
        one), and PresignedUrlExpiredError when no fresh URL can help.
        """
        if self.url != url:
            raise Retry(AssetDownloadError("403 on a replaced URL"), 0.0)
        failed_again = self.refreshed and not self.url_works
        refresh = protocol.refresher(self.name, self.job.refresh, failed_again, detail)
        self.log.info("%s: presigned URL expired (403); asking for a fresh one", self.name)
        return refresh

    def use_url(self, url: object) -> Retry:
        """Carry on with a fresh presigned URL; the Retry that asks it at once."""
        self.url = str(url)
        self.url_works = False
        self.refreshed = True
        return Retry(AssetDownloadError("presigned URL refreshed"), 0.0)

    def refresh_now(self, url: str, detail: str) -> NoReturn:
        """Get a fresh URL on this thread; raise the Retry that uses it, or Fatal."""
        try:
            refresh = self.refresh_for(url, detail)
        except PresignedUrlExpiredError as error:
            raise Fatal(error) from None
        try:
            fresh = refresh()
        except Exception as exc:
            raise Fatal(protocol.refresh_failed(self.name, exc)) from None
        raise self.use_url(fresh)
