"""Fixtures for end-to-end tests: a real client against the running sandbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from capella import CapellaConsoleClient
from capella.sandbox import DEMO_API_KEY


@pytest.fixture
def client(sandbox) -> Iterator[CapellaConsoleClient]:  # type: ignore[no-untyped-def]
    """A client authenticated with the sandbox's demo key (no retry sleeps worth noticing)."""
    with CapellaConsoleClient(api_key=DEMO_API_KEY, base_url=sandbox.url) as c:
        yield c
