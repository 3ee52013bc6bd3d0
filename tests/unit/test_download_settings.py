"""Download settings: built from the client's checked options, sharing the retry policy's names."""

from __future__ import annotations

import httpx

from capella._config import ClientOptions
from capella._http import RetrySettings
from capella.download.settings import DownloadSettings, download_settings, settings_with


def test_download_settings_come_from_the_client_options() -> None:
    options = ClientOptions.of(
        timeout=7, max_retries=2, download_connections=3, segment_threshold=1234, environ={}
    )
    settings = download_settings(options)
    assert (settings.max_connections, settings.segment_threshold) == (3, 1234)
    assert (settings.max_retries, settings.timeout) == (2, httpx.Timeout(7))


def test_an_explicit_retry_policy_sets_the_backoff_and_keeps_the_download_retries() -> None:
    policy = RetrySettings(max_retries=1, backoff_base=0.1, backoff_max=2.0, retry_after_cap=3.0)
    settings = settings_with(DownloadSettings(max_retries=7), policy, {}, 4096)
    assert settings.retry == RetrySettings(
        max_retries=7, backoff_base=0.1, backoff_max=2.0, retry_after_cap=3.0
    )
