"""capella: a typed Python SDK and command line for the Capella Space API."""

from typing import TYPE_CHECKING, Any

from capella._version import __version__
from capella.client import CapellaConsoleClient

if TYPE_CHECKING:
    from capella.aio.client import AsyncCapellaConsoleClient

__all__ = ["AsyncCapellaConsoleClient", "CapellaConsoleClient", "__version__"]


def __getattr__(name: str) -> Any:
    # The async client pulls in asyncio and its own shells; sync users do not pay for them.
    if name == "AsyncCapellaConsoleClient":
        from capella.aio.client import AsyncCapellaConsoleClient

        return AsyncCapellaConsoleClient
    raise AttributeError(f"module 'capella' has no attribute {name!r}")
