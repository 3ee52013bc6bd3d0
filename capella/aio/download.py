"""The asyncio downloader (the shell lives beside the threaded one in capella.download)."""

from capella.download.async_engine import AsyncDownloader

__all__ = ["AsyncDownloader"]
