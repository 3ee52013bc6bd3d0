"""``import capella`` loads only the client's core; everything else waits for first use."""

from __future__ import annotations

import subprocess
import sys

# Each costs import time that a user who only builds a client should not pay.
DEFERRED = (
    "capella.products",  # downloads
    "capella.download",
    "capella.orders",
    "capella.pagination",
    "capella.tasking",
    "capella.results",
    "capella.aio",
    "capella_api",  # the generated client imports every model
    "dateutil",
    "attrs",
    "concurrent.futures",
    "getpass",
)


def test_import_capella_defers_the_heavy_modules() -> None:
    code = f"import sys, capella\nprint(sorted(m for m in {DEFERRED!r} if m in sys.modules))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_methods_still_load_what_they_need() -> None:
    code = (
        "import sys, capella\n"
        "sig = __import__('inspect').signature(capella.CapellaConsoleClient.search)\n"
        "print('capella.pagination' in sys.modules, str(sig))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == (
        "True (self, **filters: 'Unpack[CatalogFilters]') -> 'StacSearchResult'"
    )
