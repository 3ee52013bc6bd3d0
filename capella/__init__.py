"""capella: a typed Python SDK and command line for the Capella Space API."""

from capella._version import __version__
from capella.aio.client import AsyncCapellaConsoleClient
from capella.client import CapellaConsoleClient

__all__ = ["AsyncCapellaConsoleClient", "CapellaConsoleClient", "__version__"]
