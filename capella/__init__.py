"""capella: a typed Python SDK and command line for the Capella Space API."""

from capella._version import __version__
from capella.client import CapellaConsoleClient

__all__ = ["CapellaConsoleClient", "__version__"]
