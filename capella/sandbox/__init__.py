"""A local Capella-compatible API server for demos, end-to-end tests and benchmarks.

>>> from capella.sandbox import DEMO_API_KEY, Sandbox
>>> with Sandbox(port=0) as sandbox:  # doctest: +SKIP
...     CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url)

Needs the `sandbox` extra (`pip install 'capella-sar[sandbox]'`).
"""

from capella.sandbox.app import create_app
from capella.sandbox.config import DEMO_API_KEY, DEMO_CONTRACT_ID, DEMO_TOKEN, SandboxConfig
from capella.sandbox.faults import Fault, FaultInjector, FaultKind, parse_fault
from capella.sandbox.server import PortInUseError, Sandbox
from capella.sandbox.state import State
from capella.sandbox.users import DEMO_USER, User

__all__ = [
    "DEMO_API_KEY",
    "DEMO_CONTRACT_ID",
    "DEMO_TOKEN",
    "DEMO_USER",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "PortInUseError",
    "Sandbox",
    "SandboxConfig",
    "State",
    "User",
    "create_app",
    "parse_fault",
]
